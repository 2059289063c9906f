package crdvalidate_test

import (
	"testing"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/admissiontable"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/crdvalidate"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testenv"
)

// ownCRD loads this project's CRD (config/crd/bases).
func ownCRD(tb testing.TB) *crdvalidate.Validator {
	tb.Helper()
	dir, err := testenv.CRDs()
	if err != nil {
		tb.Fatal(err)
	}
	v, err := crdvalidate.Load(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// TestAdmissionTableOffline runs every row of the admission table through
// the offline validator: it must give exactly the causes recorded from the
// API server (which the envtest spec in internal/controller checks against
// a real kube-apiserver), so the two verdicts agree on every row.
func TestAdmissionTableOffline(t *testing.T) {
	v := ownCRD(t)
	rows, err := admissiontable.Rows()
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for _, r := range rows {
		if len(r.Refused) > 0 {
			refused++
		}
		t.Run(r.Name, func(t *testing.T) {
			obj := r.Object.DeepCopy()
			obj.SetNamespace("admission-table")
			if err := admissiontable.Compare(r.Refused, admissiontable.FromFieldErrors(v.Validate(obj))); err != nil {
				t.Error(err)
			}
		})
	}
	if refused < 50 || len(rows)-refused < 10 {
		t.Errorf("the table has %d refused and %d accepted rows, want at least 50 and 10", refused, len(rows)-refused)
	}
}
