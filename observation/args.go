package observation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Arg is one decoded argument: a string value, or a list (argv).
type Arg struct {
	Key   string
	Value string
	List  []string
}

// Args are the decoded security-relevant arguments of a call, in a fixed order.
// They marshal as a JSON object whose values are strings or string lists.
type Args []Arg

// Get returns the string value of key, and whether it is present.
func (a Args) Get(key string) (string, bool) {
	for _, x := range a {
		if x.Key == key {
			return x.Value, true
		}
	}
	return "", false
}

// GetList returns the list value of key, and whether it is present.
func (a Args) GetList(key string) ([]string, bool) {
	for _, x := range a {
		if x.Key == key {
			return x.List, x.List != nil
		}
	}
	return nil, false
}

// Set replaces key's string value, or appends it.
func (a Args) Set(key, value string) Args {
	for i := range a {
		if a[i].Key == key {
			a[i] = Arg{Key: key, Value: value}
			return a
		}
	}
	return append(a, Arg{Key: key, Value: value})
}

// Key is a canonical string of the arguments, used to tell distinct calls apart.
func (a Args) Key() string {
	var b strings.Builder
	for _, x := range a {
		b.WriteString(x.Key)
		b.WriteByte(0)
		if x.List != nil {
			for _, s := range x.List {
				fmt.Fprintf(&b, "%d:%s", len(s), s)
			}
		} else {
			b.WriteString(x.Value)
		}
		b.WriteByte(0)
	}
	return b.String()
}

// MarshalJSON writes the arguments as an object, keeping their order.
func (a Args) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, x := range a {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(x.Key)
		buf.Write(k)
		buf.WriteByte(':')
		var v []byte
		var err error
		if x.List != nil {
			v, err = json.Marshal(x.List)
		} else {
			v, err = json.Marshal(x.Value)
		}
		if err != nil {
			return nil, fmt.Errorf("marshal argument %s: %w", x.Key, err)
		}
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON reads an object of strings or string lists, keeping key order.
func (a *Args) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("args: want a JSON object")
	}
	var out Args
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fmt.Errorf("args: %w", err)
		}
		key, _ := t.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("args %q: %w", key, err)
		}
		arg := Arg{Key: key}
		if len(raw) > 0 && raw[0] == '[' {
			if err := json.Unmarshal(raw, &arg.List); err != nil {
				return fmt.Errorf("args %q: %w", key, err)
			}
			if arg.List == nil {
				arg.List = []string{}
			}
		} else if err := json.Unmarshal(raw, &arg.Value); err != nil {
			return fmt.Errorf("args %q: want a string or a list of strings: %w", key, err)
		}
		out = append(out, arg)
	}
	*a = out
	return nil
}
