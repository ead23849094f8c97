package sandbox

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/containers/podman/v5/pkg/bindings"
)

// File is a regular file to copy into a container.
type File struct {
	Path     string      // absolute path in the container
	Mode     fs.FileMode // permission bits; 0 means 0644
	UID, GID int         // owner
	Size     int64       // exactly what Content yields
	Content  io.Reader
}

// BytesFile is a File holding b.
func BytesFile(path string, mode fs.FileMode, b []byte) File {
	return File{Path: path, Mode: mode, Size: int64(len(b)), Content: bytes.NewReader(b)}
}

// CopyIn copies files into the container. Into a created container that
// has not started, this works also with a read-only root filesystem.
// Missing parent directories are created.
func (c *Client) CopyIn(ctx context.Context, id string, files ...File) error {
	for _, f := range files {
		if !path.IsAbs(f.Path) || strings.HasSuffix(f.Path, "/") {
			return fmt.Errorf("copy into container %s: %q is not an absolute file path", id, f.Path)
		}
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeTar(pw, files)) }()
	err := c.putArchive(ctx, id, "/", pr)
	pr.CloseWithError(fmt.Errorf("copy ended: %v", err))
	if err != nil {
		return fmt.Errorf("copy %s into container %s: %w", names(files), id, err)
	}
	return nil
}

// putArchive extracts the tar stream r at dir in the container. It does
// what the bindings' CopyFromArchive does, but keeps the service's error
// message, which CopyFromArchive replaces with the HTTP status.
func (c *Client) putArchive(ctx context.Context, id, dir string, r io.Reader) error {
	bctx := c.bind(ctx)
	conn, err := bindings.GetClient(bctx)
	if err != nil {
		return err
	}
	// copyUIDGID=false keeps the owners in the archive; the service's default
	// gives every file, and the directories it creates, to the container's
	// user, who could then replace them.
	params := url.Values{"path": {dir}, "copyUIDGID": {"false"}}
	resp, err := conn.DoRequest(bctx, r, http.MethodPut, "/containers/%s/archive", params, nil, id)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return resp.Process(nil)
}

// writeTar writes files as a tar stream rooted at /.
func writeTar(w io.Writer, files []File) error {
	tw := tar.NewWriter(w)
	for _, f := range files {
		if err := writeTarFile(tw, f); err != nil {
			return err
		}
	}
	return tw.Close()
}

func writeTarFile(tw *tar.Writer, f File) error {
	mode := f.Mode.Perm()
	if mode == 0 {
		mode = 0o644
	}
	hdr := &tar.Header{
		Typeflag: tar.TypeReg,
		Name:     strings.TrimPrefix(path.Clean(f.Path), "/"),
		Mode:     int64(mode),
		Uid:      f.UID,
		Gid:      f.GID,
		Size:     f.Size,
		Format:   tar.FormatPAX,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	n, err := io.Copy(tw, f.Content)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	if n != f.Size {
		return fmt.Errorf("%s: content has %d bytes, Size says %d", f.Path, n, f.Size)
	}
	return nil
}

func names(files []File) string {
	ps := make([]string, len(files))
	for i, f := range files {
		ps[i] = f.Path
	}
	return strings.Join(ps, ", ")
}
