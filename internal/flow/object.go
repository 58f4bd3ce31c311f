package flow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/oauthkit/oauthkit/internal/termtext"
)

// Member is one name/value pair of a JSON object.
type Member struct {
	Name  string
	Value json.RawMessage
}

// Object is a JSON object with its members in the order the server sent
// them, so output can show the answer "as sent".
type Object []Member

// ParseObject parses a JSON object, keeping member order and raw values.
// A repeated member name is refused (its meaning would be ambiguous).
func ParseObject(data []byte) (Object, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	var obj Object
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("not JSON: %v", err)
		}
		name, _ := tok.(string)
		if seen[name] {
			return nil, fmt.Errorf("member %q appears twice", termtext.Cut(name, 40))
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("not JSON: %v", err)
		}
		obj = append(obj, Member{Name: name, Value: raw})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	if dec.More() {
		return nil, errors.New("text after the JSON object")
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("text after the JSON object")
	}
	return obj, nil
}

// Get returns the raw value of a member.
func (o Object) Get(name string) (json.RawMessage, bool) {
	for _, m := range o {
		if m.Name == name {
			return m.Value, true
		}
	}
	return nil, false
}

// String returns a member that is a JSON string ("" otherwise).
func (o Object) String(name string) string {
	raw, ok := o.Get(name)
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// Int returns a member that is an integer, or a string holding one (as the
// Apigee profile sends expires_in).
func (o Object) Int(name string) (int64, bool) {
	raw, ok := o.Get(name)
	if !ok {
		return 0, false
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		i, err := n.Int64()
		return i, err == nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		i, err := strconv.ParseInt(s, 10, 64)
		return i, err == nil
	}
	return 0, false
}

// With returns a copy with a member set (replaced in place or appended).
func (o Object) With(name string, v any) Object {
	raw, err := json.Marshal(v)
	if err != nil {
		raw = json.RawMessage("null")
	}
	out := append(Object(nil), o...)
	for i := range out {
		if out[i].Name == name {
			out[i].Value = raw
			return out
		}
	}
	return append(out, Member{Name: name, Value: raw})
}

// MarshalJSON writes the members in order.
func (o Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		name, err := json.Marshal(m.Name)
		if err != nil {
			return nil, err
		}
		b.Write(name)
		b.WriteByte(':')
		b.Write(m.Value)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
