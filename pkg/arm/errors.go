package arm

import (
	"errors"
	"fmt"
	"sort"
)

// FieldError is a problem with one field, named by its path: an ARM path
// (properties.gitRepository.url) when reading ARM, a FluxConfig path
// (spec.gitRepository.syncInterval) when writing it.
type FieldError struct {
	Path    string
	Message string
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Message }

// fieldErrors collects every problem of one conversion, so a user sees
// them all at once.
type fieldErrors []*FieldError

func (l *fieldErrors) addf(path, format string, args ...any) {
	*l = append(*l, &FieldError{Path: path, Message: fmt.Sprintf(format, args...)})
}

// err returns the problems sorted by path, joined, or nil.
func (l fieldErrors) err() error {
	if len(l) == 0 {
		return nil
	}
	sort.SliceStable(l, func(i, j int) bool { return l[i].Path < l[j].Path })
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errors.Join(errs...)
}
