package chart

import (
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
)

const customValues = "test/chart/testdata/values-custom.yaml"

func TestLint(t *testing.T) {
	for name, args := range map[string][]string{
		"default values": nil,
		"custom values":  {"-f", customValues},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := runTool(helmBin, append([]string{"lint", "--strict", chartDir}, args...)...); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Wrong types and unknown keys are refused by values.schema.json, by both
// helm lint and helm template, with the path of the value.
func TestSchemaRejectsWrongValues(t *testing.T) {
	for _, tc := range []struct {
		set  string // a --set or --set-string argument
		want string // in the error
	}{
		{"--set-string=replicas=two", "/replicas"},
		{"--set=replicas=-1", "/replicas"},
		{"--set-string=concurrent=4", "/concurrent"},
		{"--set=concurrent=0", "/concurrent"},
		{"--set=logLevel=verbose", "/logLevel"},
		{"--set=requeueDependency=30", "/requeueDependency"},
		{"--set=resyncInterval=soon", "/resyncInterval"},
		{"--set-string=leaderElection.enabled=yes", "/leaderElection/enabled"},
		{"--set-string=multiTenancy.enabled=true", "/multiTenancy/enabled"},
		{"--set=multiTenancy.clusterScopeNamespaces=cluster-config", "/multiTenancy/clusterScopeNamespaces"},
		{"--set=multiTenancy.clusterScopeNamespaces={a\\,b}", "/multiTenancy/clusterScopeNamespaces/0"},
		{"--set=watchLabelSelector=1", "/watchLabelSelector"},
		{"--set=nodeSelector.disk=1", "/nodeSelector/disk"},
		{"--set=tolerations.key=x", "/tolerations"},
		{"--set=affinity=x", "/affinity"},
		{"--set=podAnnotations.a=true", "/podAnnotations/a"},
		{"--set=image.pullPolicy=Sometimes", "/image/pullPolicy"},
		{"--set=image.repository=", "/image/repository"},
		{"--set=metrics.port=0", "/metrics/port"},
		{"--set=metrics.serviceMonitor.interval=30", "/metrics/serviceMonitor/interval"},
		{"--set=extraArgs={concurrent=2}", "/extraArgs/0"},
		{"--set=replica=2", "replica"},
		{"--set=metrics.serviceMonitor.enable=true", "enable"},
	} {
		t.Run(tc.set, func(t *testing.T) {
			for _, cmd := range [][]string{
				{"template", "x", chartDir, tc.set},
				{"lint", chartDir, tc.set},
			} {
				_, err := runTool(helmBin, cmd...)
				if err == nil {
					t.Fatalf("helm %s accepted %s", cmd[0], tc.set)
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("helm %s %s: the error does not name %q:\n%v", cmd[0], tc.set, tc.want, err)
				}
			}
		})
	}
}

func TestReplicasNeedLeaderElection(t *testing.T) {
	_, err := helmTemplate("x", "x", "--set=replicas=2", "--set=leaderElection.enabled=false")
	if err == nil || !strings.Contains(err.Error(), "leaderElection.enabled") {
		t.Fatalf("want an error about leaderElection.enabled, got %v", err)
	}
}

func TestTemplateDefaults(t *testing.T) {
	objs := render(t, defaultRelease, defaultNamespace)
	checkWiring(t, objs)
	var kinds []string
	for _, o := range objs {
		kinds = append(kinds, o.GetKind())
	}
	slices.Sort(kinds)
	want := []string{"ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "Deployment", "Role", "RoleBinding", "Service", "ServiceAccount"}
	if !slices.Equal(kinds, want) {
		t.Fatalf("kinds: got %v, want %v", kinds, want)
	}
	crd := only(t, objs, "CustomResourceDefinition")
	if crd.GetAnnotations()["helm.sh/resource-policy"] != "keep" {
		t.Errorf("the CRD is not kept on uninstall: %v", crd.GetAnnotations())
	}
	d := into[appsv1.Deployment](t, only(t, objs, "Deployment"))
	c := d.Spec.Template.Spec.Containers[0]
	if c.Image != "fluxconfig-controller:dev" {
		t.Errorf("image %q, want the appVersion tag", c.Image)
	}
	if *d.Spec.Replicas != 1 {
		t.Errorf("replicas %d", *d.Spec.Replicas)
	}
}

func TestTemplateCustomValues(t *testing.T) {
	objs := render(t, "shard-a", "tenants", "-f", customValues)
	checkWiring(t, objs)
	if n := len(ofKind(objs, "CustomResourceDefinition")); n != 0 {
		t.Errorf("crds.install false still renders %d CRDs", n)
	}
	d := into[appsv1.Deployment](t, only(t, objs, "Deployment"))
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]
	wantArgs := []string{
		"--enable-leader-election=true",
		"--metrics-addr=:9090",
		"--health-addr=:9441",
		"--log-level=debug",
		"--concurrent=8",
		"--requeue-dependency=1m",
		"--resync-interval=5m",
		"--enable-multi-tenancy=false",
		"--cluster-scope-namespaces=platform-*,cluster-config",
		"--watch-label-selector=shard in (a,b)",
		"--resync-interval=7m",
	}
	if !slices.Equal(c.Args, wantArgs) {
		t.Errorf("args:\n got %q\nwant %q", c.Args, wantArgs)
	}
	if c.Image != "registry.example.com/fluxconfig-controller:v1.2.3" || c.ImagePullPolicy != corev1.PullAlways {
		t.Errorf("image %q, pull policy %q", c.Image, c.ImagePullPolicy)
	}
	if *d.Spec.Replicas != 3 {
		t.Errorf("replicas %d", *d.Spec.Replicas)
	}
	if got := c.Resources.Limits.Memory().String(); got != "1Gi" {
		t.Errorf("memory limit %s", got)
	}
	if pod.NodeSelector["kubernetes.io/os"] != "linux" || pod.NodeSelector["pool"] != "system" {
		t.Errorf("nodeSelector %v", pod.NodeSelector)
	}
	if len(pod.Tolerations) != 1 || pod.Tolerations[0].Key != "CriticalAddonsOnly" {
		t.Errorf("tolerations %v", pod.Tolerations)
	}
	if pod.Affinity == nil || pod.Affinity.PodAntiAffinity == nil {
		t.Errorf("affinity %v", pod.Affinity)
	}
	if d.Spec.Template.Annotations["example.com/team"] != "platform" || d.Spec.Template.Labels["example.com/tier"] != "control" {
		t.Errorf("pod annotations %v, labels %v", d.Spec.Template.Annotations, d.Spec.Template.Labels)
	}
	if pod.PriorityClassName != "system-cluster-critical" || len(pod.ImagePullSecrets) != 1 {
		t.Errorf("priorityClassName %q, imagePullSecrets %v", pod.PriorityClassName, pod.ImagePullSecrets)
	}
	if sa := into[corev1.ServiceAccount](t, only(t, objs, "ServiceAccount")); sa.Name != "fluxconfig" || sa.Annotations["azure.workload.identity/client-id"] == "" {
		t.Errorf("ServiceAccount %s %v", sa.Name, sa.Annotations)
	}
	sm := only(t, objs, "ServiceMonitor")
	if sm.GetLabels()["release"] != "prometheus" {
		t.Errorf("ServiceMonitor labels %v", sm.GetLabels())
	}
	eps, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
	if len(eps) != 1 || eps[0].(map[string]any)["interval"] != "30s" || eps[0].(map[string]any)["scrapeTimeout"] != "10s" {
		t.Errorf("ServiceMonitor endpoints %v", eps)
	}
}

func TestTemplateWithoutLeaderElection(t *testing.T) {
	objs := render(t, "single", "single", "--set=leaderElection.enabled=false", "--set=serviceAccount.create=false", "--set=serviceAccount.name=existing")
	if n := len(ofKind(objs, "Role")) + len(ofKind(objs, "RoleBinding")) + len(ofKind(objs, "ServiceAccount")); n != 0 {
		t.Errorf("%d leader election or ServiceAccount objects rendered", n)
	}
	d := into[appsv1.Deployment](t, only(t, objs, "Deployment"))
	if d.Spec.Template.Spec.ServiceAccountName != "existing" || d.Spec.Template.Spec.Containers[0].Args[0] != "--enable-leader-election=false" {
		t.Errorf("serviceAccountName %q, args %q", d.Spec.Template.Spec.ServiceAccountName, d.Spec.Template.Spec.Containers[0].Args)
	}
	crb := into[rbacv1.ClusterRoleBinding](t, only(t, objs, "ClusterRoleBinding"))
	if crb.Subjects[0].Name != "existing" || crb.Subjects[0].Namespace != "single" {
		t.Errorf("ClusterRoleBinding subjects %v", crb.Subjects)
	}
}

// helm install and kubectl apply -k config/default install the same thing.
func TestChartMatchesConfigDefault(t *testing.T) {
	chart := render(t, defaultRelease, defaultNamespace)
	kust := kustomizeBuild(t)
	checkWiring(t, kust)

	kinds := func(objs []*unstructured.Unstructured) []string {
		var ks []string
		for _, o := range objs {
			if o.GetKind() != "Namespace" { // helm install --create-namespace
				ks = append(ks, o.GetKind())
			}
		}
		slices.Sort(ks)
		return ks
	}
	if a, b := kinds(chart), kinds(kust); !slices.Equal(a, b) {
		t.Errorf("kinds: chart %v, config/default %v", a, b)
	}
	for _, o := range kust {
		if ns := o.GetNamespace(); ns != "" && ns != defaultNamespace {
			t.Errorf("config/default puts %s %s in namespace %s", o.GetKind(), o.GetName(), ns)
		}
	}

	// The CRD is config/crd/bases, in both.
	want := only(t, readObjects(t, "config/crd/bases/clusterconfig.azure.com_fluxconfigs.yaml"), "CustomResourceDefinition")
	for name, objs := range map[string][]*unstructured.Unstructured{"chart": chart, "config/default": kust} {
		got := only(t, objs, "CustomResourceDefinition")
		if got.GetName() != want.GetName() || !equality.Semantic.DeepEqual(got.Object["spec"], want.Object["spec"]) {
			t.Errorf("%s: the CRD differs from config/crd/bases: run `make chart-generate`", name)
		}
	}

	// The ClusterRole rules are config/rbac/role.yaml, which controller-gen
	// generates from the RBAC markers; the leader election Roles agree.
	wantRules := into[rbacv1.ClusterRole](t, only(t, readObjects(t, "config/rbac/role.yaml"), "ClusterRole")).Rules
	if len(wantRules) == 0 {
		t.Fatal("config/rbac/role.yaml has no rules")
	}
	for name, objs := range map[string][]*unstructured.Unstructured{"chart": chart, "config/default": kust} {
		got := into[rbacv1.ClusterRole](t, only(t, objs, "ClusterRole")).Rules
		if !equality.Semantic.DeepEqual(got, wantRules) {
			t.Errorf("%s: ClusterRole rules differ from config/rbac/role.yaml (run `make chart-generate`):\n got %v\nwant %v", name, got, wantRules)
		}
		checkNoWildcards(t, name, objs)
	}
	cr := into[rbacv1.Role](t, only(t, chart, "Role")).Rules
	kr := into[rbacv1.Role](t, only(t, kust, "Role")).Rules
	if !equality.Semantic.DeepEqual(cr, kr) {
		t.Errorf("leader election Role rules:\n chart %v\nconfig/default %v", cr, kr)
	}

	// The same flags, security context, probes, ports and resources.
	cd := into[appsv1.Deployment](t, only(t, chart, "Deployment"))
	kd := into[appsv1.Deployment](t, only(t, kust, "Deployment"))
	cp, kp := cd.Spec.Template.Spec, kd.Spec.Template.Spec
	cc, kc := cp.Containers[0], kp.Containers[0]
	for _, f := range []struct {
		name       string
		chart, kus any
	}{
		{"replicas", cd.Spec.Replicas, kd.Spec.Replicas},
		{"pod securityContext", cp.SecurityContext, kp.SecurityContext},
		{"terminationGracePeriodSeconds", cp.TerminationGracePeriodSeconds, kp.TerminationGracePeriodSeconds},
		{"containers", len(cp.Containers), len(kp.Containers)},
		{"container name", cc.Name, kc.Name},
		{"args", cc.Args, kc.Args},
		{"container securityContext", cc.SecurityContext, kc.SecurityContext},
		{"ports", cc.Ports, kc.Ports},
		{"livenessProbe", cc.LivenessProbe, kc.LivenessProbe},
		{"readinessProbe", cc.ReadinessProbe, kc.ReadinessProbe},
		{"resources", cc.Resources, kc.Resources},
		{"imagePullPolicy", cc.ImagePullPolicy, kc.ImagePullPolicy},
		{"image", cc.Image, kc.Image},
		{"pod annotations", cd.Spec.Template.Annotations, kd.Spec.Template.Annotations},
	} {
		if !equality.Semantic.DeepEqual(f.chart, f.kus) {
			t.Errorf("Deployment %s:\n chart %v\nconfig/default %v", f.name, f.chart, f.kus)
		}
	}
	cs := into[corev1.Service](t, only(t, chart, "Service"))
	ks := into[corev1.Service](t, only(t, kust, "Service"))
	if !equality.Semantic.DeepEqual(cs.Spec.Ports, ks.Spec.Ports) || cs.Spec.Type != ks.Spec.Type {
		t.Errorf("metrics Service:\n chart %v\nconfig/default %v", cs.Spec, ks.Spec)
	}
}

// The security settings the chart promises, whatever the values.
func TestDeploymentHardening(t *testing.T) {
	for name, objs := range map[string][]*unstructured.Unstructured{
		"chart defaults":      render(t, defaultRelease, defaultNamespace),
		"chart custom values": render(t, "shard-a", "tenants", "-f", customValues),
		"config/default":      kustomizeBuild(t),
	} {
		d := into[appsv1.Deployment](t, only(t, objs, "Deployment"))
		pod := d.Spec.Template.Spec
		psc := pod.SecurityContext
		if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
			t.Errorf("%s: pod securityContext %v", name, psc)
		}
		for _, c := range pod.Containers {
			sc := c.SecurityContext
			if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
				sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
				sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) != 0 {
				t.Errorf("%s: container %s securityContext %v", name, c.Name, sc)
			}
			if c.LivenessProbe == nil || c.ReadinessProbe == nil {
				t.Errorf("%s: container %s has no probes", name, c.Name)
			}
			if c.Resources.Requests.Cpu().IsZero() || c.Resources.Limits.Memory().IsZero() {
				t.Errorf("%s: container %s resources %v", name, c.Name, c.Resources)
			}
		}
	}
}

// Every flag the chart or config/default passes is one the controller
// defines: its own and the Flux toolkit's (logging, leader election), as
// its --help lists them.
func TestFlagsExist(t *testing.T) {
	cmd := exec.CommandContext(t.Context(), "go", "run", "./cmd", "--help")
	cmd.Dir = root
	help, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run ./cmd --help: %v\n%s", err, help)
	}
	defined := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s+--([a-z0-9-]+)`).FindAllStringSubmatch(string(help), -1) {
		defined[m[1]] = true
	}
	if len(defined) < 5 {
		t.Fatalf("found only %d flags in the controller's --help: %v", len(defined), defined)
	}
	for name, objs := range map[string][]*unstructured.Unstructured{
		"chart defaults":      render(t, defaultRelease, defaultNamespace),
		"chart custom values": render(t, "shard-a", "tenants", "-f", customValues),
		"config/default":      kustomizeBuild(t),
	} {
		d := into[appsv1.Deployment](t, only(t, objs, "Deployment"))
		for _, a := range d.Spec.Template.Spec.Containers[0].Args {
			flagName, _, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
			if !strings.HasPrefix(a, "--") || !defined[flagName] {
				t.Errorf("%s: %q is not a flag of cmd/main.go", name, a)
			}
		}
	}
}

// checkWiring checks that the objects of one install point at each other:
// bindings at the roles and ServiceAccount, the Service and ServiceMonitor
// at the pods.
func checkWiring(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	d := into[appsv1.Deployment](t, only(t, objs, "Deployment"))
	sa := d.Spec.Template.Spec.ServiceAccountName
	ns := d.Namespace
	subjectOK := func(s []rbacv1.Subject) bool {
		return len(s) == 1 && s[0].Kind == "ServiceAccount" && s[0].Name == sa && s[0].Namespace == ns
	}
	if sas := ofKind(objs, "ServiceAccount"); len(sas) == 1 && (sas[0].GetName() != sa || sas[0].GetNamespace() != ns) {
		t.Errorf("the Deployment runs as %s/%s, the ServiceAccount is %s/%s", ns, sa, sas[0].GetNamespace(), sas[0].GetName())
	}
	crb := into[rbacv1.ClusterRoleBinding](t, only(t, objs, "ClusterRoleBinding"))
	if crb.RoleRef.Kind != "ClusterRole" || crb.RoleRef.Name != only(t, objs, "ClusterRole").GetName() || !subjectOK(crb.Subjects) {
		t.Errorf("ClusterRoleBinding %s: roleRef %v, subjects %v", crb.Name, crb.RoleRef, crb.Subjects)
	}
	for _, u := range ofKind(objs, "RoleBinding") {
		rb := into[rbacv1.RoleBinding](t, u)
		if rb.RoleRef.Kind != "Role" || rb.RoleRef.Name != only(t, objs, "Role").GetName() || !subjectOK(rb.Subjects) || rb.Namespace != ns {
			t.Errorf("RoleBinding %s/%s: roleRef %v, subjects %v", rb.Namespace, rb.Name, rb.RoleRef, rb.Subjects)
		}
	}
	if r := ofKind(objs, "Role"); len(r) == 1 && r[0].GetNamespace() != ns {
		t.Errorf("the leader election Role is in %s, the Deployment in %s", r[0].GetNamespace(), ns)
	}
	podLabels := labels.Set(d.Spec.Template.Labels)
	if sel := labels.SelectorFromSet(d.Spec.Selector.MatchLabels); !sel.Matches(podLabels) {
		t.Errorf("the Deployment selector %v does not match its pods %v", sel, podLabels)
	}
	svc := into[corev1.Service](t, only(t, objs, "Service"))
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(podLabels) || svc.Namespace != ns {
		t.Errorf("the metrics Service selects %v, the pods have %v", svc.Spec.Selector, podLabels)
	}
	ports := map[string]int32{}
	for _, p := range d.Spec.Template.Spec.Containers[0].Ports {
		ports[p.Name] = p.ContainerPort
	}
	if len(svc.Spec.Ports) != 1 || ports[svc.Spec.Ports[0].TargetPort.String()] == 0 {
		t.Errorf("the metrics Service targets %v, the container has %v", svc.Spec.Ports, ports)
	}
	args := strings.Join(d.Spec.Template.Spec.Containers[0].Args, " ")
	if !strings.Contains(args, "--metrics-addr=:"+itoa(ports["http-prom"])) || !strings.Contains(args, "--health-addr=:"+itoa(ports["healthz"])) {
		t.Errorf("args %q do not listen on the container ports %v", args, ports)
	}
	for _, sm := range ofKind(objs, "ServiceMonitor") {
		sel, _, _ := unstructured.NestedStringMap(sm.Object, "spec", "selector", "matchLabels")
		eps, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
		if !labels.SelectorFromSet(sel).Matches(labels.Set(svc.Labels)) || len(eps) != 1 || eps[0].(map[string]any)["port"] != svc.Spec.Ports[0].Name {
			t.Errorf("the ServiceMonitor selects %v port %v; the Service has labels %v, port %s", sel, eps, svc.Labels, svc.Spec.Ports[0].Name)
		}
	}
}

func checkNoWildcards(t *testing.T, name string, objs []*unstructured.Unstructured) {
	t.Helper()
	var rules []rbacv1.PolicyRule
	for _, u := range ofKind(objs, "ClusterRole") {
		rules = append(rules, into[rbacv1.ClusterRole](t, u).Rules...)
	}
	for _, u := range ofKind(objs, "Role") {
		rules = append(rules, into[rbacv1.Role](t, u).Rules...)
	}
	for _, r := range rules {
		for _, list := range [][]string{r.APIGroups, r.Resources, r.Verbs, r.ResourceNames} {
			if slices.Contains(list, "*") {
				t.Errorf("%s: wildcard in rule %v", name, r)
			}
		}
		if slices.Contains(r.Verbs, "escalate") || slices.Contains(r.Verbs, "impersonate") {
			t.Errorf("%s: rule %v grants escalate or impersonate", name, r)
		}
		if slices.Contains(r.Verbs, "bind") && len(r.ResourceNames) == 0 {
			t.Errorf("%s: rule %v grants bind on every role", name, r)
		}
	}
}

func itoa(i int32) string { return strconv.Itoa(int(i)) }
