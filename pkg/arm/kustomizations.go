package arm

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Kustomizations is the kustomizations map of a resource, in the order of
// the document, so that converting to the FluxConfig list and back keeps
// the order.
type Kustomizations []NamedKustomization

// NamedKustomization is one entry of the map: its key and its value.
type NamedKustomization struct {
	Key   string
	Value *Kustomization
}

// MarshalJSON writes the map in order.
func (k Kustomizations) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range k {
		if i > 0 {
			b.WriteByte(',')
		}
		key, err := json.Marshal(e.Key)
		if err != nil {
			return nil, err
		}
		val, err := json.Marshal(e.Value)
		if err != nil {
			return nil, err
		}
		b.Write(key)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads the map keeping the order of its keys.
func (k *Kustomizations) UnmarshalJSON(data []byte) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("kustomizations must be an object keyed by kustomization name")
	}
	*k = nil
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		e := NamedKustomization{Key: t.(string)}
		if err := dec.Decode(&e.Value); err != nil {
			return fmt.Errorf("kustomizations.%s: %w", e.Key, err)
		}
		*k = append(*k, e)
	}
	_, err := dec.Token()
	return err
}

// Get returns the kustomization of a key, or nil.
func (k Kustomizations) Get(key string) *Kustomization {
	for _, e := range k {
		if e.Key == key {
			return e.Value
		}
	}
	return nil
}
