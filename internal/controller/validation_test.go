package controller

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/admissiontable"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/crdvalidate"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testenv"
)

// admissionEntries are the rows of the admission table, which the offline
// validator's test (internal/crdvalidate) runs too.
func admissionEntries() []TableEntry {
	rows, err := admissiontable.Rows()
	if err != nil {
		panic(fmt.Sprintf("loading the admission table: %v", err))
	}
	entries := make([]TableEntry, 0, len(rows))
	for _, r := range rows {
		entries = append(entries, Entry(r.Name, r))
	}
	return entries
}

var _ = Describe("Admission", func() {
	var ns string
	BeforeEach(func() { ns = newNamespace("fc-") })

	// Every row is created with strict field validation (kubectl's
	// default). A refused row must be refused with exactly the recorded
	// causes; an accepted row must be stored with the same defaults the
	// offline validator fills in.
	DescribeTable("the admission table: the API server gives the recorded verdict",
		func(r admissiontable.Row) {
			obj := r.Object.DeepCopy()
			obj.SetNamespace(ns)
			err := k8sClient.Create(ctx(), obj, client.FieldValidation(metav1.FieldValidationStrict))
			if len(r.Refused) == 0 {
				Expect(err).NotTo(HaveOccurred())
				dir, err := testenv.CRDs()
				Expect(err).NotTo(HaveOccurred())
				offline, err := crdvalidate.Load(dir)
				Expect(err).NotTo(HaveOccurred())
				want := r.Object.DeepCopy()
				want.SetNamespace(ns)
				Expect(offline.Default(want)).To(BeEmpty())
				Expect(obj.Object["spec"]).To(Equal(want.Object["spec"]), "the API server's defaults differ from the offline validator's")
				return
			}
			Expect(err).To(HaveOccurred(), "the API server accepted it")
			causes, err := admissiontable.FromAPIError(err)
			Expect(err).NotTo(HaveOccurred(), "not a validation error")
			Expect(admissiontable.Compare(r.Refused, causes)).To(Succeed())
		},
		admissionEntries(),
	)

	It("keeps scope immutable", func() {
		Expect(k8sClient.Create(ctx(), tutorialConfig(ns, "fixed"))).To(Succeed())
		var err error
		Eventually(func() bool {
			fc := getFC(ns, "fixed")
			fc.Spec.Scope = v1alpha1.ScopeNamespace
			err = k8sClient.Update(ctx(), fc)
			return apierrors.IsConflict(err)
		}, timeout, interval).Should(BeFalse(), "retry while the controller adds its finalizer")
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("spec.scope"))
		Expect(err.Error()).To(ContainSubstring("immutable"))
	})

	It("accepts the tutorial's configuration and fills in the defaults", func() {
		fc := &v1alpha1.FluxConfig{
			ObjectMeta: metav1.ObjectMeta{Name: "defaults", Namespace: ns},
			Spec: v1alpha1.FluxConfigSpec{
				GitRepository: &v1alpha1.GitRepositoryDefinition{
					URL:           "https://github.com/Azure/gitops-flux2-kustomize-helm-mt",
					RepositoryRef: v1alpha1.RepositoryRefDefinition{Branch: "main"},
				},
				Kustomizations: []v1alpha1.KustomizationDefinition{{Name: "infra", Path: "./infrastructure"}},
			},
		}
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		fc = getFC(ns, "defaults")
		Expect(fc.Spec.Scope).To(Equal(v1alpha1.ScopeCluster))
		Expect(fc.Spec.SourceKind).To(Equal(v1alpha1.SourceKindGitRepository))
		Expect(fc.Spec.GitRepository.SyncInterval.Duration.String()).To(Equal("10m0s"))
		Expect(fc.Spec.Kustomizations[0].Timeout.Duration.String()).To(Equal("10m0s"))
		Expect(*fc.Spec.Kustomizations[0].Wait).To(BeTrue())
		Expect(fc.Spec.Kustomizations[0].Prune).To(BeFalse())
	})
})
