package main

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/sysgate/sysgate/observation"
)

// printSummary writes the per-syscall table, busiest first.
func printSummary(w io.Writer, obs *observation.Observation) {
	rows := append([]observation.Syscall{}, obs.Syscalls...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Count > rows[j].Count })
	var total uint64
	for _, s := range rows {
		total += s.Count
	}
	fmt.Fprintf(w, "sysgate: %s calls, %d syscalls, %d processes, %d distinct call records\n",
		itoa(total), len(rows), len(obs.Processes), len(obs.Calls))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "calls\tabi\tsyscall\t")
	for _, s := range rows {
		name := s.Name
		if name == "" {
			name = fmt.Sprintf("#%d (unknown)", s.Nr)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t\n", s.Count, s.ABI, name)
	}
	tw.Flush()
	for _, r := range obs.Incomplete {
		fmt.Fprintf(w, "sysgate: INCOMPLETE: %s\n", r)
	}
}
