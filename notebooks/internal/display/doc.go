// Package display is the compiled stand-in for the display package that the
// gophernotes kernel imports into every notebook. It has the same names
// (Data, MIMEMap, HTML, Markdown, PNG, JPEG, SVG, Image, the MIMEType*
// constants and the renderer interfaces), so notebook cells that use
// display.PNG(...) or Display(display.HTML(...)) build unchanged in the
// notebook test harness.
//
// Like gophernotes, every constructor fills MIME type → value plus a
// text/plain fallback made with fmt.Sprint; []byte values are encoded as
// base64 when the bundle is written as JSON.
package display
