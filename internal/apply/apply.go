// Package apply creates and updates objects with server-side apply under one
// field manager, and only when they differ from what is wanted: a steady
// state makes no write requests.
package apply

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
)

// HashAnnotation holds a digest of what the controller last applied to an
// object (never on Secrets), so a removed field is noticed too.
const HashAnnotation = "clusterconfig.azure.com/applied-hash"

// Action says what Apply did to one object.
type Action string

// What Apply did: nothing (the live object already holds what is wanted),
// created the object, or updated it.
const (
	Unchanged Action = "unchanged"
	Created   Action = "created"
	Updated   Action = "updated"
)

// ConflictError says that an object with a child's name exists and was not
// created by the controller for this owner. It is left untouched.
type ConflictError struct {
	Kind, Namespace, Name string
}

func (e *ConflictError) Error() string {
	id := e.Name
	if e.Namespace != "" {
		id = e.Namespace + "/" + e.Name
	}
	return fmt.Sprintf("%s %s already exists and was not created by this FluxConfig, so it is left untouched: delete or rename it, or give the FluxConfig another name", e.Kind, id)
}

// RejectedError says that the API server refused a wanted object for what it holds
// (a CRD's schema or CEL rules, an admission policy). Retrying the same
// object cannot help.
type RejectedError struct {
	Kind, Namespace, Name string
	Err                   error
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("the API server refused %s %s/%s: %v", e.Kind, e.Namespace, e.Name, e.Err)
}

func (e *RejectedError) Unwrap() error { return e.Err }

// Applier applies objects.
type Applier struct {
	// Client reads (from the cache) and writes.
	Client client.Client
	// APIReader confirms, uncached, that an object is really absent before
	// it is created: the cache only holds labeled objects of some kinds.
	APIReader  client.Reader
	FieldOwner string
}

// Owns decides whether an existing object belongs to the caller.
type Owns func(live client.Object) bool

// Apply makes obj as wanted, unless an object of that name exists that owns
// rejects (a *ConflictError).
func (a *Applier) Apply(ctx context.Context, obj client.Object, owns Owns) (Action, error) {
	gvk, err := apiutil.GVKForObject(obj, a.Client.Scheme())
	if err != nil {
		return Unchanged, err
	}
	desired, err := toUnstructured(obj)
	if err != nil {
		return Unchanged, err
	}
	desired.SetGroupVersionKind(gvk)
	isSecret := gvk.Group == "" && gvk.Kind == "Secret"
	if !isSecret {
		setHash(desired)
	}

	liveObj, err := a.Client.Scheme().New(gvk)
	if err != nil {
		return Unchanged, err
	}
	live := liveObj.(client.Object)
	key := client.ObjectKeyFromObject(obj)
	action := Updated
	err = a.Client.Get(ctx, key, live)
	if apierrors.IsNotFound(err) {
		err = a.APIReader.Get(ctx, key, live)
	}
	switch {
	case apierrors.IsNotFound(err):
		action = Created
	case err != nil:
		return Unchanged, fmt.Errorf("reading %s %s: %w", gvk.Kind, key, err)
	case !owns(live):
		return Unchanged, &ConflictError{Kind: gvk.Kind, Namespace: key.Namespace, Name: key.Name}
	default:
		// Readers other than the cache (the APIReader above, a direct
		// client) return typed objects without apiVersion and kind, which
		// desired has: without them the live object never contains it.
		live.GetObjectKind().SetGroupVersionKind(gvk)
		liveU, err := runtime.DefaultUnstructuredConverter.ToUnstructured(live)
		if err != nil {
			return Unchanged, err
		}
		if Contains(liveU, desired.Object) && (!isSecret || sameKeys(liveU["data"], desired.Object["data"])) {
			return Unchanged, nil
		}
	}
	if err := a.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(desired),
		client.FieldOwner(a.FieldOwner), client.ForceOwnership); err != nil {
		if apierrors.IsInvalid(err) {
			return Unchanged, &RejectedError{Kind: gvk.Kind, Namespace: key.Namespace, Name: key.Name, Err: err}
		}
		return Unchanged, fmt.Errorf("applying %s %s: %w", gvk.Kind, key, err)
	}
	return action, nil
}

// toUnstructured converts a typed object to the fields to apply: no status,
// no creationTimestamp, no empty values.
func toUnstructured(obj client.Object) (*unstructured.Unstructured, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	delete(m, "status")
	if md, ok := m["metadata"].(map[string]any); ok {
		delete(md, "creationTimestamp")
	}
	return &unstructured.Unstructured{Object: compact(m).(map[string]any)}, nil
}

func setHash(u *unstructured.Unstructured) {
	ann := u.GetAnnotations()
	delete(ann, HashAnnotation)
	u.SetAnnotations(ann)
	b, _ := json.Marshal(u.Object) // converted from a typed object: always marshals
	sum := sha256.Sum256(b)
	if ann == nil {
		ann = map[string]string{}
	}
	ann[HashAnnotation] = hex.EncodeToString(sum[:12])
	u.SetAnnotations(ann)
}

// compact drops nil values and empty maps, which the API server would not
// store either.
func compact(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			c := compact(e)
			if c == nil {
				delete(t, k)
				continue
			}
			if m, ok := c.(map[string]any); ok && len(m) == 0 {
				delete(t, k)
				continue
			}
			t[k] = c
		}
		return t
	case []any:
		for i := range t {
			t[i] = compact(t[i])
		}
		return t
	}
	return v
}

func sameKeys(a, b any) bool {
	am, _ := a.(map[string]any)
	bm, _ := b.(map[string]any)
	return len(am) == len(bm)
}
