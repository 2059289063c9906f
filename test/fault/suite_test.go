// The fault suite: this controller's binary, built from the working tree,
// runs as its own process under the project's own ClusterRole against the
// test control plane, and is killed, cut off from kube-apiserver, fought
// with, given foreign objects and bad input. No Flux controller runs: where
// a scenario needs Flux status, the test writes it as Flux would. Every
// loop is bounded in count and time.
package fault

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/yaml"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/kinds"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testenv"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testkit"
)

// The controller's timing flags: a FluxConfig waiting on something (a
// conflict, a deletion, a Secret to fix) is looked at again every second,
// and every FluxConfig is reconciled every 5 seconds, so "no churn across
// several resyncs" and "converges after a fault" fit in seconds.
var controllerArgs = []string{
	"--requeue-dependency=1s",
	"--resync-interval=5s",
	"--cluster-scope-namespaces=" + trustedPrefix + "*",
	"--log-level=debug",
}

var (
	pl       *plane
	k8s      client.Client
	scheme   *runtime.Scheme
	ctrlProc *controllerProcess
	keys     *keyRecorder
	stateDir string
	stopKeys context.CancelFunc
	failed   bool
)

func TestFault(t *testing.T) {
	RegisterFailHandler(Fail)
	SetDefaultEventuallyPollingInterval(250 * time.Millisecond)
	SetDefaultConsistentlyPollingInterval(250 * time.Millisecond)
	RunSpecs(t, "Fault Suite")
}

var _ = BeforeSuite(func() {
	logger := zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true))
	ctrl.SetLogger(logger)
	klog.SetLogger(logger) // client-go's reflectors complain while kube-apiserver is down
	root, err := testenv.Root()
	Expect(err).NotTo(HaveOccurred())
	stateDir = os.Getenv("FAULT_STATE_DIR")
	if stateDir == "" {
		stateDir, err = os.MkdirTemp("", "fault-suite-")
		Expect(err).NotTo(HaveOccurred())
	}
	Expect(os.MkdirAll(stateDir, 0o755)).To(Succeed())

	By("building this controller's binary from the working tree")
	binary := filepath.Join(stateDir, "manager")
	Expect(testkit.BuildManager(bg(), binary)).To(Succeed())

	By("starting etcd and kube-apiserver with the FluxConfig and Flux CRDs and an audit log")
	pl, err = startPlane(stateDir)
	Expect(err).NotTo(HaveOccurred())
	scheme = kinds.NewScheme()
	k8s, err = client.New(pl.admin, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())

	By("binding the project's ClusterRole (config/rbac/role.yaml), and nothing else, to the controller's user")
	bindControllerRole(root)

	By("watching every generated key from the test's side")
	keys = newKeyRecorder()
	var keysCtx context.Context
	keysCtx, stopKeys = context.WithCancel(context.Background())
	Expect(keys.start(keysCtx, pl.admin, scheme)).To(Succeed())

	By("starting the controller")
	ctrlProc = &controllerProcess{binary: binary, kubeconfig: pl.controllerKubeconfig, dir: stateDir, args: controllerArgs}
	Expect(ctrlProc.start()).To(Succeed())
	GinkgoWriter.Printf("state of the suite (logs, audit log, certificates): %s\n", stateDir)
})

var _ = AfterEach(func() {
	if CurrentSpecReport().Failed() {
		failed = true
	}
})

var _ = AfterSuite(func() {
	if ctrlProc != nil {
		ctrlProc.stop()
	}
	if stopKeys != nil {
		stopKeys()
	}
	if pl != nil {
		Expect(pl.stop()).To(Succeed())
	}
	if ctrlProc != nil {
		// Checked after every process is stopped, so a failure here
		// leaves nothing running.
		logs, err := ctrlProc.logText()
		Expect(err).NotTo(HaveOccurred())
		Expect(logs).NotTo(BeEmpty(), "the controller's logs were not captured")
		Expect(planted.leaks("the controller's log", logs)).To(BeEmpty(), "a secret value reached the controller's log")
	}
	if failed || os.Getenv("FAULT_STATE_DIR") != "" {
		GinkgoWriter.Printf("kept the suite's state: %s\n", stateDir)
		return
	}
	_ = os.RemoveAll(stateDir)
})

// bindControllerRole installs the generated ClusterRole as it is shipped
// and binds it to the controller's user: a missing rule fails the suite as
// it would fail in a cluster.
func bindControllerRole(root string) {
	data, err := os.ReadFile(filepath.Join(root, "config", "rbac", "role.yaml"))
	Expect(err).NotTo(HaveOccurred())
	role := &rbacv1.ClusterRole{}
	Expect(yaml.Unmarshal(data, role)).To(Succeed())
	Expect(k8s.Create(bg(), role)).To(Succeed())
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "fluxconfig-controller"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: controllerUser}},
	}
	Expect(k8s.Create(bg(), binding)).To(Succeed())
}
