package fault

import (
	"fmt"
	"sort"
	"strings"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// The names and labels of the children are the documented contract
// (docs/architecture.md), written here independently of the builder.
const (
	applier       = "flux-applier"
	managedLabel  = v1alpha1.ManagedLabel
	nameLabel     = v1alpha1.NameLabel
	namespaceLbl  = v1alpha1.NamespaceLabel
	kindSecret    = "Secret"
	kindGitRepo   = "GitRepository"
	kindKs        = "Kustomization"
	kindSA        = "ServiceAccount"
	kindRB        = "RoleBinding"
	kindCRB       = "ClusterRoleBinding"
	kindBucket    = "Bucket"
	kindOCIRepo   = "OCIRepository"
	finalizerName = v1alpha1.FluxConfigFinalizer
)

func childKey(kind, ns, name string) string { return kind + " " + ns + "/" + name }

// expectedChildren are the children a fleet's configs of one namespace must
// have, keyed "Kind namespace/name", each with the config that owns it ("" for
// the namespace's shared ServiceAccount).
func expectedChildren(f *fleet, ns string) map[string]string {
	want := map[string]string{}
	for _, fc := range f.in(ns) {
		want[childKey(kindSA, ns, applier)] = ""
		want[childKey(kindGitRepo, ns, fc.Name)] = fc.Name
		for _, k := range fc.Spec.Kustomizations {
			want[childKey(kindKs, ns, fc.Name+"-"+k.Name)] = fc.Name
		}
		if f.kinds[id(fc)] != httpsPublic {
			want[childKey(kindSecret, ns, fc.Name+"-auth")] = fc.Name
		}
		if fc.Spec.Scope == v1alpha1.ScopeNamespace {
			want[childKey(kindRB, ns, applier+"-"+fc.Name)] = fc.Name
		} else {
			want[childKey(kindCRB, "", applier+"-"+ns+"-"+fc.Name)] = fc.Name
		}
	}
	return want
}

// liveChildren lists every object of every child kind in ns (but the
// Secrets the test made itself) and the ClusterRoleBindings that carry
// ns in their name or labels: duplicates and leftovers show here too.
func liveChildren(ns string, own map[string]bool) (map[string]client.Object, error) {
	lists := map[string]client.ObjectList{
		kindGitRepo: &sourcev1.GitRepositoryList{}, kindBucket: &sourcev1.BucketList{},
		kindOCIRepo: &sourcev1.OCIRepositoryList{}, kindKs: &kustomizev1.KustomizationList{},
		kindSecret: &corev1.SecretList{}, kindSA: &corev1.ServiceAccountList{}, kindRB: &rbacv1.RoleBindingList{},
	}
	live := map[string]client.Object{}
	for kind, list := range lists {
		if err := k8s.List(bg(), list, client.InNamespace(ns)); err != nil {
			return nil, err
		}
		items, err := apimeta.ExtractList(list)
		if err != nil {
			return nil, err
		}
		for _, item := range items {
			obj := item.(client.Object)
			if kind == kindSecret && own[obj.GetName()] {
				continue
			}
			live[childKey(kind, ns, obj.GetName())] = obj
		}
	}
	var crbs rbacv1.ClusterRoleBindingList
	if err := k8s.List(bg(), &crbs); err != nil {
		return nil, err
	}
	for i := range crbs.Items {
		crb := &crbs.Items[i]
		if crb.Labels[namespaceLbl] == ns || strings.HasPrefix(crb.Name, applier+"-"+ns+"-") {
			live[childKey(kindCRB, "", crb.Name)] = crb
		}
	}
	return live, nil
}

// childrenProblems compares the children of ns with what the fleet's
// configs there want: exactly those, each labeled as its config's, each
// namespaced one controlled by it, the Flux objects pointing where the spec
// says. It returns nothing when all is right.
func childrenProblems(f *fleet, ns string, own map[string]bool) []string {
	live, err := liveChildren(ns, own)
	if err != nil {
		return []string{err.Error()}
	}
	uids := map[string]types.UID{}
	var fcs v1alpha1.FluxConfigList
	if err := k8s.List(bg(), &fcs, client.InNamespace(ns)); err != nil {
		return []string{err.Error()}
	}
	for _, fc := range fcs.Items {
		uids[fc.Name] = fc.UID
	}
	want := expectedChildren(f, ns)
	var problems []string
	for key, owner := range want {
		obj, ok := live[key]
		if !ok {
			problems = append(problems, "missing "+key)
			continue
		}
		problems = append(problems, ownershipProblems(key, obj, ns, owner, uids[owner])...)
	}
	for key := range live {
		if _, ok := want[key]; !ok {
			problems = append(problems, "unexpected (leftover or duplicate) "+key)
		}
	}
	for _, fc := range f.in(ns) {
		problems = append(problems, specProblems(fc, f.kinds[id(fc)], live)...)
	}
	sort.Strings(problems)
	return problems
}

// ownershipProblems checks the labels and owner references of one child.
func ownershipProblems(key string, obj client.Object, ns, owner string, uid types.UID) []string {
	l := obj.GetLabels()
	var p []string
	if l[managedLabel] != "true" || l[namespaceLbl] != ns {
		p = append(p, fmt.Sprintf("%s: labels %v", key, l))
	}
	if owner == "" { // the shared ServiceAccount: labels only
		return p
	}
	if l[nameLabel] != owner {
		p = append(p, fmt.Sprintf("%s: label %s=%q, want %q", key, nameLabel, l[nameLabel], owner))
	}
	refs := obj.GetOwnerReferences()
	if strings.HasPrefix(key, kindCRB+" ") {
		if len(refs) != 0 {
			p = append(p, fmt.Sprintf("%s: a cluster-scoped child has owner references %v", key, refs))
		}
		return p
	}
	if len(refs) != 1 || refs[0].UID != uid || refs[0].Kind != "FluxConfig" || refs[0].Controller == nil || !*refs[0].Controller {
		p = append(p, fmt.Sprintf("%s: owner references %v, want one controller reference to FluxConfig %s (uid %s)", key, refs, owner, uid))
	}
	return p
}

// specProblems checks that a config's source and Kustomizations say what
// its spec says (another writer's edits undone).
func specProblems(fc *v1alpha1.FluxConfig, kind configKind, live map[string]client.Object) []string {
	var p []string
	if repo, ok := live[childKey(kindGitRepo, fc.Namespace, fc.Name)].(*sourcev1.GitRepository); ok {
		if repo.Spec.URL != fc.Spec.GitRepository.URL {
			p = append(p, fmt.Sprintf("GitRepository %s: url %q, want %q", id(fc), repo.Spec.URL, fc.Spec.GitRepository.URL))
		}
		wantRef := ""
		if kind != httpsPublic {
			wantRef = fc.Name + "-auth"
		}
		got := ""
		if repo.Spec.SecretRef != nil {
			got = repo.Spec.SecretRef.Name
		}
		if got != wantRef {
			p = append(p, fmt.Sprintf("GitRepository %s: secretRef %q, want %q", id(fc), got, wantRef))
		}
	}
	for _, k := range fc.Spec.Kustomizations {
		ks, ok := live[childKey(kindKs, fc.Namespace, fc.Name+"-"+k.Name)].(*kustomizev1.Kustomization)
		if !ok {
			continue
		}
		if ks.Spec.Path != k.Path || ks.Spec.SourceRef.Name != fc.Name || ks.Spec.SourceRef.Kind != kindGitRepo || ks.Spec.ServiceAccountName != applier {
			p = append(p, fmt.Sprintf("Kustomization %s-%s: path %q sourceRef %s/%s serviceAccountName %q", id(fc), k.Name,
				ks.Spec.Path, ks.Spec.SourceRef.Kind, ks.Spec.SourceRef.Name, ks.Spec.ServiceAccountName))
		}
	}
	return p
}

// convergedProblems says how each config of the fleet in ns falls short of
// converged: it exists with the finalizer, its status describes its
// generation with no error, and a generated key is published in the status
// and matches the auth Secret.
func convergedProblems(f *fleet, ns string) []string {
	var p []string
	for _, want := range f.in(ns) {
		fc, err := getConfig(ns, want.Name)
		if err != nil {
			p = append(p, fmt.Sprintf("%s: %v", id(want), err))
			continue
		}
		st := fc.Status
		switch {
		case !controllerutil.ContainsFinalizer(fc, finalizerName):
			p = append(p, id(fc)+": no finalizer")
		case st.ObservedGeneration != fc.Generation || st.ProvisioningState != v1alpha1.ProvisioningSucceeded || st.ErrorMessage != "":
			p = append(p, fmt.Sprintf("%s (generation %d): %s", id(fc), fc.Generation, describeStatus(st)))
		case f.kinds[id(fc)] == generatedSSHKey:
			p = append(p, publishedKeyProblems(fc)...)
		}
	}
	return p
}

func publishedKeyProblems(fc *v1alpha1.FluxConfig) []string {
	s := &corev1.Secret{}
	if err := k8s.Get(bg(), client.ObjectKey{Namespace: fc.Namespace, Name: fc.Name + "-auth"}, s); err != nil {
		return []string{fmt.Sprintf("%s: auth Secret: %v", id(fc), err)}
	}
	pub := strings.TrimSpace(string(s.Data["identity.pub"]))
	if fc.Status.RepositoryPublicKey == "" || strings.TrimSpace(fc.Status.RepositoryPublicKey) != pub {
		return []string{fmt.Sprintf("%s: status.repositoryPublicKey %s, auth Secret identity.pub %s",
			id(fc), fingerprint(fc.Status.RepositoryPublicKey), fingerprint(pub))}
	}
	return nil
}
