// Package nbrt is the runtime linked into the programs that the notebook
// harness (package nbrun) generates from notebooks. It writes, between the
// cells' own output, records that tell the harness where each cell starts,
// what the cell's result is and which MIME bundles it displayed.
//
// A record is RS + JSON object + RS, with RS the ASCII record separator
// 0x1E (JSON escapes that byte inside strings, so a record never contains
// it). Cell markers go to stdout and stderr; result, display and end
// records go to stdout.
package nbrt
