package files

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	for path, content := range map[string]string{"b.yaml": "url: ${URL}\n", "app/a.yaml": "plain\n"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, path), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("b.yaml", filepath.Join(dir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	got, err := Read(dir, map[string]string{"${URL}": "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(Names(got), []string{"app/a.yaml", "b.yaml", "link.yaml"}) || got["b.yaml"] != "url: http://127.0.0.1:1\n" ||
		got["link.yaml"] != got["b.yaml"] || got["app/a.yaml"] != "plain\n" {
		t.Fatalf("Read: %q", got)
	}
	if _, err := Read(filepath.Join(dir, "missing"), nil); err == nil {
		t.Fatal("Read of a missing directory succeeded")
	}
}

func TestTarGzip(t *testing.T) {
	in := map[string]string{"b.yaml": "b\n", "app/a.yaml": "a\n"}
	data, err := TarGzip(in, "chart")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := TarGzip(in, "chart")
	if !bytes.Equal(data, again) {
		t.Fatal("the same files made different archives")
	}
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		if want := in[strings.TrimPrefix(hdr.Name, "chart/")]; string(body) != want || hdr.Typeflag != tar.TypeReg {
			t.Fatalf("%s: %q", hdr.Name, body)
		}
		names = append(names, hdr.Name)
	}
	if !slices.Equal(names, []string{"chart/app/a.yaml", "chart/b.yaml"}) {
		t.Fatalf("entries %v", names)
	}
}
