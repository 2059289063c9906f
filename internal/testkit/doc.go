// Package testkit holds what several test packages need alike: a free
// 127.0.0.1 address, the controller's binary built from the working tree,
// a background process that never outlives its test, and the accessors of
// a FluxConfig's status. Only tests and the test tools under test/ import
// it; the control plane itself is internal/testenv's.
package testkit
