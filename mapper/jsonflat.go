package mapper

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// flattenJSON adds every scalar of a JSON document to p under its dotted
// path (lists are transparent; an object's own path lists its keys), as
// parseJSONBody documents. It is a small hand-written scanner: request
// bodies are parsed on the mapper's hot path, and encoding/json's token
// API allocates per token. Input that is truncated or malformed yields
// what precedes the fault.
//
// The document is copied into one string, and a key or value without
// escapes is a slice of it rather than a string of its own: one
// allocation per body instead of one per token. A caller that keeps a
// value beyond the call (in a Call) copies it, so as not to keep the whole
// body alive.
func (p *Params) flattenJSON(b []byte) {
	s := jsonScanner{b: b, src: string(b), p: p}
	s.skipSpace()
	s.value("", 0)
}

type jsonScanner struct {
	b   []byte
	src string // b as a string, which keys and values are sliced from
	i   int
	p   *Params
}

func (s *jsonScanner) skipSpace() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value parses one value at s.i under path. It returns false on a fault.
func (s *jsonScanner) value(path string, depth int) bool {
	if s.i >= len(s.b) || depth > maxBodyDepth {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '{':
		s.i++
		for {
			s.skipSpace()
			if s.i >= len(s.b) {
				return false
			}
			if s.b[s.i] == '}' {
				s.i++
				return true
			}
			if s.b[s.i] == ',' {
				s.i++
				continue
			}
			key, ok := s.str()
			if !ok {
				return false
			}
			if path != "" {
				s.p.add(path, key)
			}
			s.skipSpace()
			if s.i >= len(s.b) || s.b[s.i] != ':' {
				return false
			}
			s.i++
			s.skipSpace()
			if !s.value(joinPath(path, key), depth+1) {
				return false
			}
		}
	case c == '[':
		s.i++
		for {
			s.skipSpace()
			if s.i >= len(s.b) {
				return false
			}
			if s.b[s.i] == ']' {
				s.i++
				return true
			}
			if s.b[s.i] == ',' {
				s.i++
				continue
			}
			if !s.value(path, depth+1) {
				return false
			}
		}
	case c == '"':
		v, ok := s.str()
		if ok {
			s.p.add(path, v)
		}
		return ok
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
				s.i += len(lit)
				if lit != "null" {
					s.p.add(path, lit)
				}
				return true
			}
		}
		return false
	case c == '-' || c >= '0' && c <= '9':
		start := s.i
		for s.i < len(s.b) {
			c := s.b[s.i]
			if c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
				s.i++
				continue
			}
			break
		}
		if s.i == len(s.b) {
			return false // cut inside the number: its value is unknown
		}
		s.p.add(path, s.src[start:s.i])
		return true
	}
	return false
}

// str parses a JSON string at s.i.
func (s *jsonScanner) str() (string, bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return "", false
	}
	start := s.i + 1
	i := start
	ascii := true // then valid UTF-8 without checking again
	for i < len(s.b) {
		switch c := s.b[i]; {
		case c == '"':
			s.i = i + 1
			if !ascii && !utf8.ValidString(s.src[start:i]) {
				return string(appendValidUTF8(nil, s.b[start:i])), true
			}
			return s.src[start:i], true
		case c == '\\':
			return s.slowStr(start)
		case c >= utf8.RuneSelf:
			ascii = false
		}
		i++
	}
	return "", false
}

// slowStr decodes a string with escapes.
func (s *jsonScanner) slowStr(start int) (string, bool) {
	out := make([]byte, 0, 32)
	i := start
	for i < len(s.b) {
		c := s.b[i]
		switch {
		case c == '"':
			s.i = i + 1
			if !utf8.Valid(out) {
				return string(appendValidUTF8(nil, out)), true
			}
			return string(out), true
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(s.b) {
			return "", false
		}
		switch e := s.b[i+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n := s.hex4(i + 2)
			if n < 0 {
				return "", false
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if i+1 < len(s.b) && s.b[i] == '\\' && s.b[i+1] == 'u' {
					if r2, n2 := s.hex4(i + 2); n2 >= 0 {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							r = d
							i += 6
						}
					}
				}
			}
			out = utf8.AppendRune(out, r)
			continue
		default:
			return "", false
		}
		i += 2
	}
	return "", false
}

// appendValidUTF8 appends b to out with each byte that is not part of a
// valid UTF-8 sequence replaced by U+FFFD, as encoding/json decodes
// strings: a key or value then reads the same to the mapper as to the
// SDKs' own JSON decoders.
func appendValidUTF8(out, b []byte) []byte {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return out
}

func (s *jsonScanner) hex4(i int) (rune, int) {
	if i+4 > len(s.b) {
		return 0, -1
	}
	v, err := strconv.ParseUint(s.src[i:i+4], 16, 32)
	if err != nil {
		return 0, -1
	}
	return rune(v), 4
}
