package controller

import (
	"context"
	"errors"
	"time"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/apply"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/kinds"
)

// owned is the ownership rule of these specs: an object is the applier's
// when it is labeled owner=me.
func owned(live client.Object) bool { return live.GetLabels()["owner"] == "me" }

// The applier against the real API server: what it writes, and what it
// refuses to touch. Its client reads straight from the API server here, so
// every write request it makes is counted.
var _ = Describe("The applier", func() {
	var (
		ns      string
		writes  *writeCounter
		applier *apply.Applier
	)
	BeforeEach(func() {
		ns = newNamespace("apply-")
		writes = &writeCounter{}
		c := counted(cfg, writes)
		direct, err := client.New(c, client.Options{Scheme: testScheme})
		Expect(err).NotTo(HaveOccurred())
		applier = &apply.Applier{Client: direct, APIReader: direct, FieldOwner: FieldManager}
	})

	secret := func(data map[string]string) *corev1.Secret {
		s := &corev1.Secret{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
			ObjectMeta: metav1.ObjectMeta{Name: "creds", Namespace: ns, Labels: map[string]string{"owner": "me"}},
			Type:       corev1.SecretTypeOpaque,
			Data:       map[string][]byte{},
		}
		for k, v := range data {
			s.Data[k] = []byte(v)
		}
		return s
	}
	repo := func(url string) *sourcev1.GitRepository {
		return &sourcev1.GitRepository{
			TypeMeta:   metav1.TypeMeta{APIVersion: sourcev1.GroupVersion.String(), Kind: sourcev1.GitRepositoryKind},
			ObjectMeta: metav1.ObjectMeta{Name: "repo", Namespace: ns, Labels: map[string]string{"owner": "me"}},
			Spec:       sourcev1.GitRepositorySpec{URL: url, Interval: metav1.Duration{Duration: time.Minute}},
		}
	}

	It("creates, then writes nothing while nothing changed, then updates in place", func() {
		action, err := applier.Apply(ctx(), repo("https://example.com/a"), owned)
		Expect(err).NotTo(HaveOccurred())
		Expect(action).To(Equal(apply.Created))

		before := writes.writes.Load()
		action, err = applier.Apply(ctx(), repo("https://example.com/a"), owned)
		Expect(err).NotTo(HaveOccurred())
		Expect(action).To(Equal(apply.Unchanged))
		Expect(writes.writes.Load()).To(Equal(before), "an unchanged object costs no write request")

		action, err = applier.Apply(ctx(), repo("https://example.com/b"), owned)
		Expect(err).NotTo(HaveOccurred())
		Expect(action).To(Equal(apply.Updated))
		live := &sourcev1.GitRepository{}
		Expect(k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "repo"}, live)).To(Succeed())
		Expect(live.Spec.URL).To(Equal("https://example.com/b"))
	})

	It("removes a field it no longer sets, and a Secret key it no longer wants", func() {
		withRef := repo("https://example.com/a")
		withRef.Spec.Reference = &sourcev1.GitRepositoryRef{Branch: "main"}
		_, err := applier.Apply(ctx(), withRef, owned)
		Expect(err).NotTo(HaveOccurred())
		_, err = applier.Apply(ctx(), repo("https://example.com/a"), owned)
		Expect(err).NotTo(HaveOccurred())
		live := &sourcev1.GitRepository{}
		Expect(k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "repo"}, live)).To(Succeed())
		Expect(live.Spec.Reference).To(BeNil())

		_, err = applier.Apply(ctx(), secret(map[string]string{"username": "git", "password": "pw", "ca.crt": "PEM"}), owned)
		Expect(err).NotTo(HaveOccurred())
		action, err := applier.Apply(ctx(), secret(map[string]string{"username": "git", "password": "pw"}), owned)
		Expect(err).NotTo(HaveOccurred())
		Expect(action).To(Equal(apply.Updated))
		liveSecret := &corev1.Secret{}
		Expect(k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "creds"}, liveSecret)).To(Succeed())
		Expect(liveSecret.Data).To(HaveLen(2))
		Expect(liveSecret.Data).NotTo(HaveKey("ca.crt"))
	})

	It("refuses, untouched, an object of that name that it does not own", func() {
		foreign := secret(map[string]string{"token": "theirs"})
		foreign.Labels = map[string]string{"owner": "someone-else"}
		foreign.TypeMeta = metav1.TypeMeta{}
		Expect(k8sClient.Create(ctx(), foreign)).To(Succeed())
		rv := foreign.ResourceVersion

		before := writes.writes.Load()
		_, err := applier.Apply(ctx(), secret(map[string]string{"token": "ours"}), owned)
		var conflict *apply.ConflictError
		Expect(errors.As(err, &conflict)).To(BeTrue(), "got %v", err)
		Expect(conflict.Error()).To(ContainSubstring("Secret " + ns + "/creds already exists and was not created by this FluxConfig"))
		Expect(writes.writes.Load()).To(Equal(before))
		live := &corev1.Secret{}
		Expect(k8sClient.Get(ctx(), client.ObjectKeyFromObject(foreign), live)).To(Succeed())
		Expect(live.ResourceVersion).To(Equal(rv))
		Expect(string(live.Data["token"])).To(Equal("theirs"))
	})

	It("returns a RejectedError naming the object when the API server refuses what it holds", func() {
		bad := repo("https://example.com/a")
		bad.Spec.Timeout = &metav1.Duration{Duration: time.Hour} // 1h0m0s: the GitRepository CRD takes ms, s and m only
		_, err := applier.Apply(ctx(), bad, owned)
		var rejected *apply.RejectedError
		Expect(errors.As(err, &rejected)).To(BeTrue(), "got %v", err)
		Expect(rejected.Error()).To(And(HavePrefix("the API server refused GitRepository "+ns+"/repo: "), ContainSubstring("spec.timeout")))
	})
})

// On a cache miss the applier writes at once (one request), as the kinds
// table says, and still never touches a foreign object: the cache here holds
// only the objects labeled owner=me, so a foreign object of a child's name
// is a miss, as a foreign Secret is for the controller's cache.
var _ = Describe("The applier on a cache miss", func() {
	var (
		ns      string
		counter *writeCounter
		applier *apply.Applier
	)
	BeforeEach(func() {
		ns = newNamespace("apply-miss-")
		counter = &writeCounter{}
		c := counted(cfg, counter)
		mine := labels.SelectorFromSet(labels.Set{"owner": "me"})
		blind, err := cache.New(cfg, cache.Options{Scheme: testScheme, ByObject: map[client.Object]cache.ByObject{
			&sourcev1.GitRepository{}: {Label: mine}, &rbacv1.RoleBinding{}: {Label: mine},
		}})
		Expect(err).NotTo(HaveOccurred())
		cacheCtx, stop := context.WithCancel(ctx())
		DeferCleanup(stop)
		go func() { _ = blind.Start(cacheCtx) }()
		Expect(blind.WaitForCacheSync(cacheCtx)).To(BeTrue())
		direct, err := client.New(c, client.Options{Scheme: testScheme})
		Expect(err).NotTo(HaveOccurred())
		cached, err := client.New(c, client.Options{Scheme: testScheme, Cache: &client.CacheOptions{Reader: blind}})
		Expect(err).NotTo(HaveOccurred())
		applier = &apply.Applier{Client: cached, APIReader: direct, FieldOwner: FieldManager, OnMiss: kinds.OnMissOf}
		// The client discovers each kind's resource once (as the
		// controller's long-lived client has): not the applier's requests.
		for _, gvk := range []schema.GroupVersionKind{sourcev1.GroupVersion.WithKind(sourcev1.GitRepositoryKind), rbacv1.SchemeGroupVersion.WithKind("RoleBinding")} {
			_, err := cached.RESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version)
			Expect(err).NotTo(HaveOccurred())
		}
	})

	repo := func(url string, owner string) *sourcev1.GitRepository {
		return &sourcev1.GitRepository{
			TypeMeta:   metav1.TypeMeta{APIVersion: sourcev1.GroupVersion.String(), Kind: sourcev1.GitRepositoryKind},
			ObjectMeta: metav1.ObjectMeta{Name: "repo", Namespace: ns, Labels: map[string]string{"owner": owner}},
			Spec:       sourcev1.GitRepositorySpec{URL: url, Interval: metav1.Duration{Duration: time.Minute}},
		}
	}
	binding := func(owner string) *rbacv1.RoleBinding {
		return &rbacv1.RoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "RoleBinding"},
			ObjectMeta: metav1.ObjectMeta{Name: "applier", Namespace: ns, Labels: map[string]string{"owner": owner}},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "admin"},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "flux-applier", Namespace: ns}},
		}
	}

	It("creates a new Flux object or binding with one request and no read of the API server", func() {
		for _, obj := range []client.Object{repo("https://example.com/a", "me"), binding("me")} {
			reads, writes := counter.reads.Load(), counter.writes.Load()
			action, err := applier.Apply(ctx(), obj, owned)
			Expect(err).NotTo(HaveOccurred())
			Expect(action).To(Equal(apply.Created))
			Expect(counter.writes.Load()-writes).To(Equal(int64(1)), "one write for %T", obj)
			Expect(counter.reads.Load()-reads).To(BeZero(), "no read of the API server for %T", obj)
		}
	})

	It("leaves a foreign object the cache cannot see untouched, and names it", func() {
		for _, foreign := range []client.Object{repo("https://example.com/theirs", "someone-else"), binding("someone-else")} {
			Expect(k8sClient.Create(ctx(), foreign.DeepCopyObject().(client.Object))).To(Succeed())
			before := &unstructured.Unstructured{}
			before.SetGroupVersionKind(foreign.GetObjectKind().GroupVersionKind())
			Expect(k8sClient.Get(ctx(), client.ObjectKeyFromObject(foreign), before)).To(Succeed())

			wanted := foreign.DeepCopyObject().(client.Object)
			wanted.SetLabels(map[string]string{"owner": "me"})
			if r, ok := wanted.(*sourcev1.GitRepository); ok {
				r.Spec.URL = "https://example.com/ours"
			}
			_, err := applier.Apply(ctx(), wanted, owned)
			var conflict *apply.ConflictError
			Expect(errors.As(err, &conflict)).To(BeTrue(), "got %v", err)

			after := &unstructured.Unstructured{}
			after.SetGroupVersionKind(before.GroupVersionKind())
			Expect(k8sClient.Get(ctx(), client.ObjectKeyFromObject(foreign), after)).To(Succeed())
			Expect(after.GetResourceVersion()).To(Equal(before.GetResourceVersion()), "%T untouched", foreign)
		}
	})
})
