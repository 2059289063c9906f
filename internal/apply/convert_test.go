package apply

import (
	"reflect"
	"testing"
	"time"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

func TestCompact(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want any
	}{
		{name: "scalar unchanged", in: "x", want: "x"},
		{name: "nil values dropped", in: m{"a": nil, "b": "x"}, want: m{"b": "x"}},
		{name: "empty maps dropped", in: m{"a": m{}, "b": "x"}, want: m{"b": "x"}},
		{name: "maps emptied by compaction dropped", in: m{"a": m{"b": nil, "c": m{}}, "d": "x"}, want: m{"d": "x"}},
		{name: "zero scalars kept", in: m{"prune": false, "count": int64(0), "s": ""}, want: m{"prune": false, "count": int64(0), "s": ""}},
		{name: "maps inside lists compacted", in: m{"l": l{m{"a": nil, "b": "x"}}}, want: m{"l": l{m{"b": "x"}}}},
		{name: "nested nil dropped, siblings kept", in: m{"spec": m{"timeout": nil, "interval": "10m"}}, want: m{"spec": m{"interval": "10m"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := compact(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("compact = %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestToUnstructured(t *testing.T) {
	created := metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	tests := []struct {
		name string
		obj  client.Object
		want m
	}{
		{
			name: "status, creationTimestamp and empty values removed",
			obj: &sourcev1.GitRepository{
				TypeMeta: metav1.TypeMeta{APIVersion: "source.toolkit.fluxcd.io/v1", Kind: "GitRepository"},
				ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: "team-a", CreationTimestamp: created,
					Labels: map[string]string{"a": "b"}, Annotations: map[string]string{}},
				Spec: sourcev1.GitRepositorySpec{URL: "https://example.com/r.git", Interval: metav1.Duration{Duration: time.Minute},
					Reference: &sourcev1.GitRepositoryRef{Branch: "main"}},
				Status: sourcev1.GitRepositoryStatus{ObservedGeneration: 3, Conditions: []metav1.Condition{{Type: "Ready", Status: "True"}}},
			},
			want: m{
				"apiVersion": "source.toolkit.fluxcd.io/v1",
				"kind":       "GitRepository",
				"metadata":   m{"name": "cfg", "namespace": "team-a", "labels": m{"a": "b"}},
				"spec":       m{"url": "https://example.com/r.git", "interval": "1m0s", "ref": m{"branch": "main"}},
			},
		},
		{
			name: "Secret data kept",
			obj: &corev1.Secret{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
				ObjectMeta: metav1.ObjectMeta{Name: "cfg-auth", Namespace: "team-a"},
				Type:       corev1.SecretTypeOpaque,
				Data:       map[string][]byte{"username": []byte("fake")},
			},
			want: m{
				"apiVersion": "v1",
				"kind":       "Secret",
				"metadata":   m{"name": "cfg-auth", "namespace": "team-a"},
				"type":       "Opaque",
				"data":       m{"username": "ZmFrZQ=="},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := toUnstructured(tc.obj)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(u.Object, tc.want) {
				t.Errorf("toUnstructured =\n%#v\nwant\n%#v", u.Object, tc.want)
			}
		})
	}
}

func TestSetHash(t *testing.T) {
	obj := func(url string, ann map[string]any) *unstructured.Unstructured {
		md := m{"name": "cfg"}
		if ann != nil {
			md["annotations"] = ann
		}
		return &unstructured.Unstructured{Object: m{"kind": "GitRepository", "metadata": md, "spec": m{"url": url}}}
	}
	hashOf := func(u *unstructured.Unstructured) string {
		setHash(u)
		return u.GetAnnotations()[HashAnnotation]
	}

	if h := hashOf(obj("https://a", nil)); len(h) != 24 {
		t.Errorf("hash %q: want 24 hex digits", h)
	}
	tests := []struct {
		name string
		a, b *unstructured.Unstructured
		same bool
	}{
		{name: "same object, same hash", a: obj("https://a", nil), b: obj("https://a", nil), same: true},
		{name: "an old hash annotation is ignored",
			a: obj("https://a", m{"x": "y"}), b: obj("https://a", m{"x": "y", HashAnnotation: "0123"}), same: true},
		{name: "a changed field changes the hash", a: obj("https://a", nil), b: obj("https://b", nil), same: false},
		{name: "another annotation changes the hash", a: obj("https://a", nil), b: obj("https://a", m{"x": "y"}), same: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ha, hb := hashOf(tc.a), hashOf(tc.b)
			if (ha == hb) != tc.same {
				t.Errorf("hashes %q and %q: same = %v, want %v", ha, hb, ha == hb, tc.same)
			}
		})
	}

	t.Run("other annotations are kept", func(t *testing.T) {
		u := obj("https://a", m{"x": "y"})
		setHash(u)
		if u.GetAnnotations()["x"] != "y" {
			t.Errorf("annotations = %v, lost x=y", u.GetAnnotations())
		}
	})
}
