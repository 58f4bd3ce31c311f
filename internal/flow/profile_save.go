package flow

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/oauthkit/oauthkit/internal/fileutil"
)

// ReadProfiles reads the profile file as written (relative paths are left
// as they are). A missing file has no profiles.
func ReadProfiles(path string) (*ProfileFile, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &ProfileFile{}, nil
	}
	if err != nil {
		return nil, err
	}
	if len(data) > maxBody {
		return nil, fmt.Errorf("%s is larger than 1 MiB", path)
	}
	return ParseProfiles(path, data)
}

// SaveProfile adds the profile name to the profile file, or replaces the
// one of that name, and writes the file atomically. The rest of the file
// (other profiles, comments) is kept. A new file and its folder are made
// readable by the owner alone; an existing file keeps its mode. The file
// must parse before and after: a broken file is not touched.
func SaveProfile(path, name string, p *Profile) error {
	if p.ClientSecret.Kind != 0 || p.Password.Kind != 0 || p.RefreshToken.Kind != 0 {
		return errors.New("secrets are not kept in the profile file")
	}
	mode := fs.FileMode(0o600)
	old, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		old = nil
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return fmt.Errorf("saving the profile: %w", err)
		}
	case err != nil:
		return fmt.Errorf("saving the profile: %w", err)
	default:
		if _, err := ParseProfiles(path, old); err != nil {
			return fmt.Errorf("not saving the profile into a file that does not parse: %w", err)
		}
		if st, err := os.Stat(path); err == nil {
			mode = st.Mode().Perm()
		}
	}
	data, err := withProfile(old, name, p)
	if err != nil {
		return fmt.Errorf("saving the profile: %w", err)
	}
	if _, err := ParseProfiles(path, data); err != nil {
		return fmt.Errorf("saving the profile: the new file would not parse: %w", err)
	}
	return fileutil.WriteFile(path, data, mode, true)
}

// withProfile edits the YAML document doc (nil: a new one) so that
// profiles.name is p, keeping everything else.
func withProfile(doc []byte, name string, p *Profile) ([]byte, error) {
	var root yaml.Node
	if len(bytes.TrimSpace(doc)) > 0 {
		if err := yaml.Unmarshal(doc, &root); err != nil {
			return nil, err
		}
	}
	if root.Kind == 0 {
		root = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, errors.New("the profile file is not a mapping")
	}
	var value yaml.Node
	if err := value.Encode(p); err != nil {
		return nil, err
	}
	profiles := mappingValue(top, "profiles")
	if profiles == nil || profiles.Kind != yaml.MappingNode {
		fresh := &yaml.Node{Kind: yaml.MappingNode}
		if profiles != nil {
			*profiles = *fresh // profiles: (empty) becomes a mapping
		} else {
			top.Content = append(top.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "profiles"}, fresh)
		}
		profiles = mappingValue(top, "profiles")
	}
	if old := mappingValue(profiles, name); old != nil {
		value.HeadComment, value.LineComment, value.FootComment = old.HeadComment, old.LineComment, old.FootComment
		*old = value
	} else {
		profiles.Content = append(profiles.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: name}, &value)
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// mappingValue is the value of key in the mapping node m, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
