// Package crdvalidate validates custom resources offline, as the Kubernetes
// API server does when they are created: it loads CustomResourceDefinitions
// from YAML files and runs, on an object, what the API server's
// apiextensions code runs on a create request, with the same libraries
// (k8s.io/apiextensions-apiserver):
//
//  1. decoding: unknown fields are pruned (and reported, as kubectl's
//     default --validate=strict makes the API server do), nulls without a
//     default are dropped, metadata is coerced;
//  2. defaulting from the structural schema;
//  3. create preparation: status is dropped when the CRD has a status
//     subresource, metadata.generation becomes 1, a generateName gets five
//     characters appended (fixed ones here, random ones there);
//  4. validation: the kind (an unknown one is a finding on kind), metadata (name a DNS-1123
//     subdomain, namespace, labels, annotations), the OpenAPI schema,
//     embedded resources, x-kubernetes-list-type invariants, and the CEL
//     rules (x-kubernetes-validations), skipped as the API server skips them
//     when a blocking schema error is found.
//
// Each finding is a *field.Error whose Field and ErrorBody() are what the
// API server puts in the causes of its 422 Invalid answer. Admission
// webhooks and ValidatingAdmissionPolicies are not part of it, nor is the
// validation of the CRD itself (the API server checks it when the CRD is
// installed; the envtest suites install this project's).
//
// Use:
//
//	v, err := crdvalidate.Load("config/crd/bases", "bin/flux-crds")
//	...
//	for _, e := range v.Validate(obj) { // obj: *unstructured.Unstructured
//		fmt.Printf("%s: %s\n", e.Field, e.ErrorBody())
//	}
//
// The CEL rules are evaluated with the CEL environment of the library
// version (v0.37); the test control plane runs kube-apiserver 1.36, and the
// admission table test shows both give the same answers on every row.
package crdvalidate
