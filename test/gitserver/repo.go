package gitserver

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/fluxconfig-controller/fluxconfig-controller/test/files"
)

// Repo is a bare repository the server serves plus a work tree that
// commits are made in and pushed from.
type Repo struct {
	Name string
	bare string
	work string
}

// WriteFile writes one file of the work tree (path relative to its root).
func (r *Repo) WriteFile(path, content string) error {
	full, err := r.path(path)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	return os.WriteFile(full, []byte(content), 0o644)
}

// Remove deletes a file or directory of the work tree.
func (r *Repo) Remove(path string) error {
	full, err := r.path(path)
	if err != nil {
		return err
	}
	return os.RemoveAll(full)
}

// CopyDir copies the directory src into the work tree at dst, replacing
// every key of vars (such as "${CHART_REPO}") in the files by its value.
func (r *Repo) CopyDir(src, dst string, vars map[string]string) error {
	content, err := files.Read(src, vars)
	if err != nil {
		return err
	}
	for _, name := range files.Names(content) {
		if err := r.WriteFile(filepath.Join(dst, name), content[name]); err != nil {
			return err
		}
	}
	return nil
}

// Commit commits everything in the work tree, pushes it to the branch main
// of the served repository and returns the commit's SHA.
func (r *Repo) Commit(message string) (string, error) {
	if err := r.git(r.work, "add", "--all"); err != nil {
		return "", err
	}
	if err := r.git(r.work, "commit", "--quiet", "--allow-empty", "-m", message); err != nil {
		return "", err
	}
	if err := r.git(r.work, "push", "--quiet", r.bare, "HEAD:refs/heads/main"); err != nil {
		return "", err
	}
	out, err := r.output(r.work, "rev-parse", "HEAD")
	return strings.TrimSpace(out), err
}

func (r *Repo) path(rel string) (string, error) {
	full := filepath.Join(r.work, rel)
	if !strings.HasPrefix(full, r.work+string(filepath.Separator)) {
		return "", fmt.Errorf("gitserver: %q is outside the repository", rel)
	}
	return full, nil
}

func (r *Repo) git(dir string, args ...string) error {
	_, err := r.output(dir, args...)
	return err
}

func (r *Repo) output(dir string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), gitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	// A fixed identity and no user or system config, so commits work on any machine.
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=e2e", "GIT_AUTHOR_EMAIL=e2e@example.invalid",
		"GIT_COMMITTER_NAME=e2e", "GIT_COMMITTER_EMAIL=e2e@example.invalid")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("git %s: no answer within %s: %w", strings.Join(args, " "), gitTimeout, err)
		}
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}
