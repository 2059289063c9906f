package testenv

import (
	"context"
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// AggregateClusterRoles fills every aggregated ClusterRole (admin, edit,
// view, ...) with the rules of the roles its aggregationRule selects, as
// kube-controller-manager's clusterrole-aggregation controller does. The
// test control plane runs no controller manager, so without this they stay
// empty and a binding to admin grants nothing. Roles that aggregate other
// aggregated roles (admin takes edit's rules) are filled to a fixed point.
func AggregateClusterRoles(ctx context.Context, c client.Client) error {
	for range 5 { // admin <- edit <- view is three levels deep
		var roles rbacv1.ClusterRoleList
		if err := c.List(ctx, &roles); err != nil {
			return err
		}
		changed := false
		for i := range roles.Items {
			role := &roles.Items[i]
			if role.AggregationRule == nil {
				continue
			}
			var rules []rbacv1.PolicyRule
			for _, sel := range role.AggregationRule.ClusterRoleSelectors {
				s, err := metav1.LabelSelectorAsSelector(&sel)
				if err != nil {
					return err
				}
				for _, part := range roles.Items {
					if part.Name != role.Name && s.Matches(labels.Set(part.Labels)) {
						rules = append(rules, part.Rules...)
					}
				}
			}
			if equality.Semantic.DeepEqual(rules, role.Rules) {
				continue
			}
			role.Rules = rules
			if err := c.Update(ctx, role); err != nil {
				return fmt.Errorf("aggregating ClusterRole %s: %w", role.Name, err)
			}
			changed = true
		}
		if !changed {
			return nil
		}
	}
	return fmt.Errorf("aggregated ClusterRoles did not settle")
}
