// Package apply creates and updates objects with server-side apply under one
// field manager, and only when they differ from what is wanted: a steady
// state makes no write requests.
package apply

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
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

// OnMiss says what Apply does when the cache does not hold the object.
type OnMiss int

const (
	// ReadOnMiss asks the API server, uncached, whether the object exists:
	// the cache may not hold every object of the kind (it holds only
	// labeled Secrets), and a foreign object must be seen before anything
	// is written.
	ReadOnMiss OnMiss = iota
	// ApplyOnMiss applies at once, without forcing ownership: the cache
	// holds every object of the kind, so a miss is a new object. An object
	// someone else created meanwhile makes the apply conflict on the fields
	// it set, and is then read and judged like any other.
	ApplyOnMiss
	// CreateOnMiss creates the object (a POST fails on an existing one, so
	// a foreign object is never touched), for kinds the cache holds only in
	// part whose fields are never removed after creation (bindings,
	// ServiceAccounts): the creator's ownership of those fields never has
	// to be given up.
	CreateOnMiss
)

// Applier applies objects.
type Applier struct {
	// Client reads (from the cache) and writes.
	Client client.Client
	// APIReader reads uncached, when the cache cannot tell.
	APIReader  client.Reader
	FieldOwner string
	// OnMiss tells, per kind, what to do when the cache does not hold the
	// object; nil means ReadOnMiss for every kind.
	OnMiss func(schema.GroupVersionKind) OnMiss

	// foreign remembers the objects found to be someone else's, so their
	// next miss is a read, not another write refused.
	mu      sync.Mutex
	foreign map[objectID]bool
}

type objectID struct {
	gvk schema.GroupVersionKind
	key client.ObjectKey
}

// Owns decides whether an existing object belongs to the caller.
type Owns func(live client.Object) bool

// Apply makes obj as wanted, unless an object of that name exists that owns
// rejects (a *ConflictError). It writes nothing when the cached object
// already holds what is wanted, and on creation it makes one request.
func (a *Applier) Apply(ctx context.Context, obj client.Object, owns Owns) (Action, error) {
	desired, err := a.desired(obj)
	if err != nil {
		return Unchanged, err
	}
	gvk, key := desired.GroupVersionKind(), client.ObjectKeyFromObject(obj)
	live, err := a.read(ctx, a.Client, gvk, key)
	if err != nil {
		return Unchanged, err
	}
	if live == nil {
		created, err := a.createOnMiss(ctx, desired)
		if created || err != nil {
			return Created, err
		}
		if live, err = a.read(ctx, a.APIReader, gvk, key); err != nil {
			return Unchanged, err
		}
		if live == nil {
			return Created, a.apply(ctx, desired, true)
		}
	}
	if !owns(live) {
		a.markForeign(gvk, key, true)
		return Unchanged, &ConflictError{Kind: gvk.Kind, Namespace: key.Namespace, Name: key.Name}
	}
	a.markForeign(gvk, key, false)
	same, err := upToDate(live, desired)
	if same || err != nil {
		return Unchanged, err
	}
	return Updated, a.apply(ctx, desired, true)
}

// createOnMiss creates an object the cache does not hold, as the kind's
// OnMiss says. It reports false, without error, when the object turned out
// to exist (or the kind reads first): the caller reads it and judges.
func (a *Applier) createOnMiss(ctx context.Context, desired *unstructured.Unstructured) (bool, error) {
	policy := ReadOnMiss
	if a.OnMiss != nil && !a.isForeign(desired.GroupVersionKind(), client.ObjectKeyFromObject(desired)) {
		policy = a.OnMiss(desired.GroupVersionKind())
	}
	var err error
	switch policy {
	case ApplyOnMiss:
		if err = a.apply(ctx, desired, false); apierrors.IsConflict(err) {
			return false, nil
		}
	case CreateOnMiss:
		if err = a.create(ctx, desired); apierrors.IsAlreadyExists(err) {
			return false, nil
		}
	default:
		return false, nil
	}
	return err == nil, err
}

// desired is obj as it is applied: unstructured, with its kind, and (but
// for Secrets, whose keys are compared instead) the hash annotation.
func (a *Applier) desired(obj client.Object) (*unstructured.Unstructured, error) {
	gvk, err := apiutil.GVKForObject(obj, a.Client.Scheme())
	if err != nil {
		return nil, err
	}
	desired, err := toUnstructured(obj)
	if err != nil {
		return nil, err
	}
	desired.SetGroupVersionKind(gvk)
	if !isSecret(gvk) {
		setHash(desired)
	}
	return desired, nil
}

// read returns the object from reader, or nil when it does not exist.
func (a *Applier) read(ctx context.Context, reader client.Reader, gvk schema.GroupVersionKind, key client.ObjectKey) (client.Object, error) {
	obj, err := a.Client.Scheme().New(gvk)
	if err != nil {
		return nil, err
	}
	live := obj.(client.Object)
	switch err := reader.Get(ctx, key, live); {
	case apierrors.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("reading %s %s: %w", gvk.Kind, key, err)
	}
	// Readers other than the cache (the APIReader, a direct client) return
	// typed objects without apiVersion and kind, which desired has: without
	// them the live object never contains it.
	live.GetObjectKind().SetGroupVersionKind(gvk)
	return live, nil
}

// upToDate tells whether live holds every wanted field (and, for a Secret,
// no other key).
func upToDate(live client.Object, desired *unstructured.Unstructured) (bool, error) {
	liveU, err := runtime.DefaultUnstructuredConverter.ToUnstructured(withoutStatus(live))
	if err != nil {
		return false, err
	}
	return Contains(liveU, desired.Object) &&
		(!isSecret(desired.GroupVersionKind()) || sameKeys(liveU["data"], desired.Object["data"])), nil
}

// withoutStatus is a shallow copy of a typed object with its status zeroed,
// or the object itself when it has none. Nothing applied has a status, and
// a Flux object's status (a Kustomization's inventory, a source's artifact)
// is most of what converting it would cost.
func withoutStatus(obj client.Object) any {
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return obj
	}
	status := v.Elem().FieldByName("Status")
	if !status.IsValid() || status.IsZero() {
		return obj
	}
	c := reflect.New(v.Elem().Type())
	c.Elem().Set(v.Elem())
	c.Elem().FieldByName("Status").SetZero()
	return c.Interface()
}

// apply sends a server-side apply; force takes over fields another manager
// set (on the controller's own objects only).
func (a *Applier) apply(ctx context.Context, desired *unstructured.Unstructured, force bool) error {
	opts := []client.ApplyOption{client.FieldOwner(a.FieldOwner)}
	if force {
		opts = append(opts, client.ForceOwnership)
	}
	return a.wrap(desired, a.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(desired), opts...))
}

func (a *Applier) create(ctx context.Context, desired *unstructured.Unstructured) error {
	return a.wrap(desired, a.Client.Create(ctx, desired.DeepCopy(), client.FieldOwner(a.FieldOwner)))
}

// wrap names the object in a write error. A 422 that points at fields of
// the object (a CRD's schema or CEL rules) is a *RejectedError; a 422 or
// 403 without such a field (an admission policy or webhook denying the
// request) stays an API error: the policy may change.
func (a *Applier) wrap(obj *unstructured.Unstructured, err error) error {
	kind, key := obj.GetKind(), client.ObjectKeyFromObject(obj)
	switch {
	case err == nil:
		return nil
	case apierrors.IsInvalid(err) && pointsAtFields(err):
		return &RejectedError{Kind: kind, Namespace: key.Namespace, Name: key.Name, Err: err}
	}
	return fmt.Errorf("applying %s %s: %w", kind, key, err)
}

// pointsAtFields tells whether an API error names fields of the object.
func pointsAtFields(err error) bool {
	var status apierrors.APIStatus
	if !errors.As(err, &status) || status.Status().Details == nil {
		return false
	}
	for _, c := range status.Status().Details.Causes {
		if c.Field != "" {
			return true
		}
	}
	return false
}

func (a *Applier) markForeign(gvk schema.GroupVersionKind, key client.ObjectKey, foreign bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	id := objectID{gvk, key}
	switch {
	case foreign && a.foreign == nil:
		a.foreign = map[objectID]bool{id: true}
	case foreign:
		a.foreign[id] = true
	default:
		delete(a.foreign, id)
	}
}

func (a *Applier) isForeign(gvk schema.GroupVersionKind, key client.ObjectKey) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.foreign[objectID{gvk, key}]
}

func isSecret(gvk schema.GroupVersionKind) bool { return gvk.Group == "" && gvk.Kind == "Secret" }

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
