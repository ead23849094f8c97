package observation

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// Write writes obs as indented JSON.
func Write(w io.Writer, obs *Observation) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(obs)
}

// Read decodes an observation and checks its schema.
func Read(r io.Reader) (*Observation, error) {
	var obs Observation
	if err := json.NewDecoder(r).Decode(&obs); err != nil {
		return nil, fmt.Errorf("decode observation: %w", err)
	}
	if obs.Schema != Schema {
		return nil, fmt.Errorf("observation schema %q, want %q", obs.Schema, Schema)
	}
	return &obs, nil
}

// Load reads the observation file at path.
func Load(path string) (*Observation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open observation: %w", err)
	}
	defer f.Close()
	obs, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return obs, nil
}
