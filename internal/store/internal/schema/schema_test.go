package schema

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadOrdersByVersion(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0010_later.sql": {Data: []byte("B")},
		"m/0002_first.sql": {Data: []byte("A")},
	}
	got, err := Load(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != (Migration{2, "0002_first.sql", "A"}) || got[1] != (Migration{10, "0010_later.sql", "B"}) {
		t.Fatalf("got %+v", got)
	}
}

func TestLoadRefuses(t *testing.T) {
	for name, tt := range map[string]struct {
		fsys fstest.MapFS
		want string
	}{
		"no number":    {fstest.MapFS{"m/init.sql": {}}, "name is not NNNN_name.sql"},
		"zero":         {fstest.MapFS{"m/0000_x.sql": {}}, "name is not NNNN_name.sql"},
		"not sql":      {fstest.MapFS{"m/0001_x.txt": {}}, "name is not NNNN_name.sql"},
		"same version": {fstest.MapFS{"m/0001_a.sql": {}, "m/01_b.sql": {}}, "same version"},
		"empty":        {fstest.MapFS{"m": {Mode: 0o755 | 1<<31}}, "no migrations in m"},
		"no directory": {fstest.MapFS{}, "m"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Load(tt.fsys, "m")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
}
