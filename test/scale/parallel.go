package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"time"
)

// forEach calls fn(i) for i in [0, n) from workers goroutines and returns
// the first error; after an error, or when ctx ends, no new call starts.
func forEach(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(ctx, i); err != nil {
					cancel(err)
				}
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
}

// poll calls check every interval until it reports done, returns an error,
// or the timeout passes (then the error says what was awaited, with the
// last progress check reported).
func poll(ctx context.Context, what string, interval, timeout time.Duration, check func() (bool, string, error)) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		done, progress, err := check()
		if err != nil || done {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not reached after %s (%s)", what, timeout, progress)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w (%s)", what, context.Cause(ctx), progress)
		case <-tick.C:
		}
	}
}

// fileContains tells whether the file holds s.
func fileContains(path, s string) bool {
	b, err := os.ReadFile(path)
	return err == nil && bytes.Contains(b, []byte(s))
}
