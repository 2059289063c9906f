package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/kinds"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
)

// fluxVersions are the API versions of the Flux groups the live commands
// read, as the controller does.
var fluxVersions = map[string]string{
	sourcev1.GroupVersion.Group:    sourcev1.GroupVersion.Version,
	kustomizev1.GroupVersion.Group: kustomizev1.GroupVersion.Version,
	helmv2.GroupVersion.Group:      helmv2.GroupVersion.Version,
}

// entry is one object of a Kustomization's inventory.
type entry struct {
	Namespace, Name, Group, Kind string
}

func (e entry) ref() string {
	if e.Namespace == "" {
		return e.Kind + " " + e.Name
	}
	return e.Kind + " " + e.Namespace + "/" + e.Name
}

// observation is what the live commands read of one FluxConfig: the
// objects status is computed from, in the controller's order (source,
// generated Kustomizations, the Flux objects they applied), and every
// inventory entry of each Kustomization.
type observation struct {
	config      *v1alpha1.FluxConfig
	objects     []status.Object
	inventories map[string][]entry
}

// observe reads a FluxConfig's Flux objects from the cluster.
func observe(ctx context.Context, c client.Client, fc *v1alpha1.FluxConfig) (*observation, error) {
	obs := &observation{config: fc, inventories: map[string][]entry{}}
	srcKind := builder.FluxSourceKind(fc)
	src, err := readFlux(ctx, c, sourcev1.GroupVersion.Group, srcKind, fc.Namespace, builder.SourceName(fc))
	if err != nil {
		return nil, err
	}
	obs.objects = append(obs.objects, src)
	var applied []status.Object
	for _, k := range fc.Spec.Kustomizations {
		ks := &kustomizev1.Kustomization{}
		name := builder.KustomizationName(fc, k.Name)
		err := c.Get(ctx, client.ObjectKey{Namespace: fc.Namespace, Name: name}, ks)
		if apierrors.IsNotFound(err) || apimeta.IsNoMatchError(err) {
			obs.objects = append(obs.objects, status.Missing(kustomizev1.KustomizationKind, fc.Namespace, name))
			continue
		} else if err != nil {
			return nil, fmt.Errorf("reading Kustomization %s/%s: %w", fc.Namespace, name, err)
		}
		obs.objects = append(obs.objects, kinds.Project(ks))
		more, err := obs.readInventory(ctx, c, ks)
		if err != nil {
			return nil, err
		}
		applied = append(applied, more...)
	}
	sort.SliceStable(applied, func(i, j int) bool { return objectKey(applied[i]) < objectKey(applied[j]) })
	obs.objects = append(obs.objects, applied...)
	return obs, nil
}

func objectKey(o status.Object) string { return o.Kind + "/" + o.Namespace + "/" + o.Name }

// readInventory records every entry of a Kustomization's inventory and
// reads the Flux objects among them.
func (obs *observation) readInventory(ctx context.Context, c client.Client, ks *kustomizev1.Kustomization) ([]status.Object, error) {
	if ks.Status.Inventory == nil {
		return nil, nil
	}
	var out []status.Object
	by := &v1alpha1.ObjectReferenceDefinition{Name: ks.Name, Namespace: ks.Namespace}
	for _, ref := range ks.Status.Inventory.Entries {
		parts := strings.Split(ref.ID, "_")
		if len(parts) != 4 {
			continue
		}
		e := entry{Namespace: parts[0], Name: parts[1], Group: parts[2], Kind: parts[3]}
		obs.inventories[ks.Name] = append(obs.inventories[ks.Name], e)
		if _, flux := fluxVersions[e.Group]; !flux {
			continue
		}
		o, err := readFlux(ctx, c, e.Group, e.Kind, e.Namespace, e.Name)
		if err != nil {
			return nil, err
		}
		o.AppliedBy = by
		out = append(out, o)
	}
	return out, nil
}

// readFlux reads one Flux object as status sees it; a missing object (or
// API) reads as not found.
func readFlux(ctx context.Context, c client.Client, group, kind, namespace, name string) (status.Object, error) {
	gvk := schema.GroupVersionKind{Group: group, Version: fluxVersions[group], Kind: kind}
	if !c.Scheme().Recognizes(gvk) {
		return status.Missing(kind, namespace, name), nil // a Flux kind status does not judge
	}
	obj, err := c.Scheme().New(gvk)
	if err != nil {
		return status.Object{}, err
	}
	cobj := obj.(client.Object)
	err = c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, cobj)
	switch {
	case apierrors.IsNotFound(err), apimeta.IsNoMatchError(err):
		return status.Missing(kind, namespace, name), nil
	case err != nil:
		return status.Object{}, fmt.Errorf("reading %s %s/%s: %w", kind, namespace, name, err)
	}
	return kinds.Project(cobj), nil
}

// find returns the observed object of that kind and name, or nil.
func (obs *observation) find(kind, namespace, name string) *status.Object {
	for i, o := range obs.objects {
		if o.Kind == kind && o.Namespace == namespace && o.Name == name {
			return &obs.objects[i]
		}
	}
	return nil
}

// getConfig reads one FluxConfig.
func getConfig(ctx context.Context, c client.Client, namespace, name string) (*v1alpha1.FluxConfig, error) {
	fc := &v1alpha1.FluxConfig{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, fc); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("FluxConfig %s/%s not found", namespace, name)
		}
		return nil, fmt.Errorf("reading FluxConfig %s/%s: %w", namespace, name, err)
	}
	return fc, nil
}
