package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

// The commands print alike: a listing as aligned columns under a header,
// one thing as "Key: value" rows, and --json as indented JSON. These
// helpers hold that form so that every command keeps it.

// newTable starts aligned columns on w; header, where given, is the first
// row (its columns separated by tabs). The caller writes the rows and
// flushes.
func newTable(w io.Writer, header string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if header != "" {
		fmt.Fprintln(tw, header)
	}
	return tw
}

// fieldRow writes one "Key: value" row of a table started with no header.
func fieldRow(tw io.Writer, key string, value any) {
	fmt.Fprintf(tw, "%s:\t%v\n", key, value)
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
