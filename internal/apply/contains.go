package apply

import "reflect"

// Contains tells whether every field of want has the same value in live.
// Maps compare key by key, so fields the API server defaults or another
// manager owns do not count; a list matches when each wanted element is
// contained in some live element (owner references from others, order).
func Contains(live, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		l, ok := live.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			lv, found := l[k]
			if !found || !Contains(lv, wv) {
				return false
			}
		}
		return true
	case []any:
		l, ok := live.([]any)
		if !ok || len(l) < len(w) {
			return false
		}
		for _, we := range w {
			matched := false
			for _, le := range l {
				if Contains(le, we) {
					matched = true
					break
				}
			}
			if !matched {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(live, want)
}
