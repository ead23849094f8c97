package items

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAPI(t *testing.T) {
	data := filepath.Join(t.TempDir(), "items.txt")
	if err := os.WriteFile(data, []byte("apple\n\nbanana\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	store, err := Open(data)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Routes(store))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	var out bytes.Buffer
	if code := Main([]string{"add", "--addr", addr, "kiwi"}, &out, &out, nil); code != 0 {
		t.Fatalf("add: exit %d: %s", code, out.String())
	}
	if code := Main([]string{"add", "--addr", addr, "Not Valid"}, &out, &out, nil); code != 1 {
		t.Fatalf("add of an invalid name: exit %d, want 1: %s", code, out.String())
	}
	out.Reset()
	if code := Main([]string{"list", "--addr", addr}, &out, &out, nil); code != 0 {
		t.Fatalf("list: exit %d: %s", code, out.String())
	}
	if got, want := out.String(), "apple\nbanana\nkiwi\n"; got != want {
		t.Errorf("list = %q, want %q", got, want)
	}
	file, _ := os.ReadFile(data)
	if !strings.HasSuffix(string(file), "\nkiwi\n") {
		t.Errorf("the file does not end with the added item: %q", file)
	}
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"frobnicate"}, {"add"}, {"serve", "--nope"}} {
		var out bytes.Buffer
		if code := Main(args, &out, &out, nil); code != 2 {
			t.Errorf("items %v: exit %d, want 2", args, code)
		}
	}
}
