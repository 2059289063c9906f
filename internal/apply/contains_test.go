package apply

import "testing"

type m = map[string]any
type l = []any

func TestContains(t *testing.T) {
	tests := []struct {
		name string
		live any
		want any
		ok   bool
	}{
		{name: "equal scalars", live: "a", want: "a", ok: true},
		{name: "different scalars", live: "a", want: "b", ok: false},
		{name: "equal numbers", live: int64(3), want: int64(3), ok: true},
		{name: "different booleans", live: false, want: true, ok: false},
		{name: "empty want map", live: m{"a": "x"}, want: m{}, ok: true},
		{name: "map subset", live: m{"a": "x", "b": "y"}, want: m{"a": "x"}, ok: true},
		{name: "extra live fields ignored at every level",
			live: m{"metadata": m{"name": "n", "uid": "123", "resourceVersion": "7"}, "spec": m{"interval": "10m", "defaulted": true}, "status": m{"ready": true}},
			want: m{"metadata": m{"name": "n"}, "spec": m{"interval": "10m"}}, ok: true},
		{name: "differing scalar", live: m{"a": "x", "b": "y"}, want: m{"a": "z"}, ok: false},
		{name: "missing key", live: m{"a": "x"}, want: m{"a": "x", "b": "y"}, ok: false},
		{name: "map wanted, scalar live", live: m{"a": "x"}, want: m{"a": m{"b": "c"}}, ok: false},
		{name: "map wanted, nothing live", live: nil, want: m{"a": "x"}, ok: false},
		{name: "nested difference", live: m{"spec": m{"ref": m{"branch": "main"}}}, want: m{"spec": m{"ref": m{"branch": "dev"}}}, ok: false},
		{name: "nested subset", live: m{"spec": m{"ref": m{"branch": "main", "commit": "abc"}}}, want: m{"spec": m{"ref": m{"branch": "main"}}}, ok: true},
		{name: "equal lists", live: l{"a", "b"}, want: l{"a", "b"}, ok: true},
		{name: "list element matched anywhere", live: l{"b", "a"}, want: l{"a", "b"}, ok: true},
		{name: "live list longer (others' entries)", live: l{"x", "a", "y"}, want: l{"a"}, ok: true},
		{name: "live list shorter", live: l{"a"}, want: l{"a", "b"}, ok: false},
		{name: "live list shorter, even with every wanted value in it", live: l{"a"}, want: l{"a", "a"}, ok: false},
		{name: "wanted element missing", live: l{"a", "c"}, want: l{"a", "b"}, ok: false},
		{name: "list wanted, map live", live: m{"a": "x"}, want: l{"a"}, ok: false},
		{name: "list of maps matched as subsets",
			live: m{"metadata": m{"ownerReferences": l{
				m{"kind": "Other", "name": "o", "uid": "2"},
				m{"kind": "FluxConfig", "name": "cfg", "uid": "1", "controller": true},
			}}},
			want: m{"metadata": m{"ownerReferences": l{m{"kind": "FluxConfig", "name": "cfg", "uid": "1"}}}},
			ok:   true},
		{name: "list of maps with a changed element",
			live: m{"spec": m{"dependsOn": l{m{"name": "cfg-infra"}}}},
			want: m{"spec": m{"dependsOn": l{m{"name": "cfg-base"}}}},
			ok:   false},
		{name: "nested lists",
			live: m{"spec": m{"patches": l{m{"target": m{"kind": "HelmRelease"}, "patch": "p"}}}},
			want: m{"spec": m{"patches": l{m{"patch": "p"}}}},
			ok:   true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Contains(tc.live, tc.want); got != tc.ok {
				t.Errorf("Contains(%v, %v) = %v, want %v", tc.live, tc.want, got, tc.ok)
			}
		})
	}
}
