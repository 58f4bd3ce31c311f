package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Error is one problem in a configuration file.
type Error struct {
	File string
	Line int    // 0 when unknown
	Path string // key path such as clients[1].redirect_uris[0]; "" for the file
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors are all the problems found in a file, in file order. Error()
// shows the first one and counts the others; range over the slice to show
// them all.
type Errors []*Error

func (es Errors) Error() string {
	switch len(es) {
	case 0:
		return "no errors"
	case 1:
		return es[0].Error()
	}
	if len(es) == 2 {
		return fmt.Sprintf("%s (and 1 more problem)", es[0])
	}
	return fmt.Sprintf("%s (and %d more problems)", es[0], len(es)-1)
}

// keyPath is a path into the YAML document: string keys and int indexes.
type keyPath []any

func (p keyPath) key(k string) keyPath { return append(p[:len(p):len(p)], k) }
func (p keyPath) idx(i int) keyPath    { return append(p[:len(p):len(p)], i) }

func (p keyPath) String() string {
	var b strings.Builder
	for _, s := range p {
		switch s := s.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", s)
		case string:
			if plainKey(s) {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(s)
			} else {
				fmt.Fprintf(&b, "[%q]", s)
			}
		}
	}
	return b.String()
}

func plainKey(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c == '-' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
