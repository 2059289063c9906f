package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	corev1 "k8s.io/api/core/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/test/cluster"
)

var nsObject = corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "cluster-config"}}

// watch prints a compact table of the FluxConfig and the Flux objects,
// like `kubectl get fc,gitrepositories,kustomizations,helmreleases -A`,
// each time it changes, until the FluxConfig is Compliant.
func watch(ctx context.Context, c *cluster.Cluster, fc *v1alpha1.FluxConfig, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	start := time.Now()
	var last string
	for {
		table, compliant, err := snapshot(ctx, c.Client, fc)
		if err != nil {
			return err
		}
		if table != last {
			fmt.Printf("[%5.1fs]\n%s\n", time.Since(start).Seconds(), table)
			last = table
		}
		if compliant {
			return nil
		}
		if err := c.Check(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the FluxConfig is not Compliant after %s", wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func snapshot(ctx context.Context, c client.Client, fc *v1alpha1.FluxConfig) (string, bool, error) {
	var buf bytes.Buffer
	w := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KIND\tNAMESPACE\tNAME\tSTATE\tMESSAGE")
	cur := &v1alpha1.FluxConfig{}
	if err := c.Get(ctx, client.ObjectKeyFromObject(fc), cur); err != nil {
		return "", false, err
	}
	state := cur.Status.ComplianceState
	if state == "" {
		state = "(no status yet)"
	}
	msg := ""
	if c := apimeta.FindStatusCondition(cur.Status.Conditions, meta.ReadyCondition); c != nil {
		msg = short(c.Message)
	}
	fmt.Fprintf(w, "FluxConfig\t%s\t%s\t%s\t%s\n", cur.Namespace, cur.Name, state, msg)

	var repos sourcev1.GitRepositoryList
	var kss kustomizev1.KustomizationList
	var hrs helmv2.HelmReleaseList
	for _, l := range []client.ObjectList{&repos, &kss, &hrs} {
		if err := c.List(ctx, l); err != nil {
			return "", false, err
		}
	}
	for _, o := range repos.Items {
		fmt.Fprintf(w, "GitRepository\t%s\t%s\t%s\n", o.Namespace, o.Name, ready(o.Status.Conditions))
	}
	for _, o := range kss.Items {
		fmt.Fprintf(w, "Kustomization\t%s\t%s\t%s\n", o.Namespace, o.Name, ready(o.Status.Conditions))
	}
	for _, o := range hrs.Items {
		fmt.Fprintf(w, "HelmRelease\t%s\t%s\t%s\n", o.Namespace, o.Name, ready(o.Status.Conditions))
	}
	_ = w.Flush()
	return buf.String(), cur.Status.ComplianceState == v1alpha1.ComplianceCompliant, nil
}

// ready is "Ready=<status>\t<reason>: <message>", shortened.
func ready(conds []metav1.Condition) string {
	c := apimeta.FindStatusCondition(conds, meta.ReadyCondition)
	if c == nil {
		return "Ready=?\t"
	}
	return "Ready=" + string(c.Status) + "\t" + short(c.Reason+": "+c.Message)
}

func short(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 70 {
		return s[:67] + "..."
	}
	return s
}

// splitYAML splits a multi-document YAML file.
func splitYAML(data []byte) [][]byte {
	var docs [][]byte
	for _, d := range bytes.Split(data, []byte("\n---")) {
		if len(bytes.TrimSpace(d)) > 0 {
			docs = append(docs, d)
		}
	}
	return docs
}
