package docs_test

import (
	"fmt"
	"regexp"
	"strings"
)

// A word is one word of a shell command line, quotes removed.
type word struct {
	text   string
	quoted bool // some of it was quoted
	dollar bool // it holds an unquoted or double-quoted $: a variable, a substitution
	op     bool // an operator: | || & && ; ( ) $( or a redirection
}

// shellWords splits a command line as a POSIX shell would, far enough for
// the docs: quotes, backslashes, comments, the control operators and
// redirections. Expansions are kept as text (and marked).
func shellWords(line string) ([]word, error) {
	var words []word
	var cur word
	in := false // cur has started
	flush := func() {
		if in {
			words = append(words, cur)
		}
		cur, in = word{}, false
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			flush()
		case c == '#' && !in:
			flush()
			return words, nil
		case c == '\\':
			if i+1 < len(line) {
				i++
				cur.text += string(line[i])
			}
			cur.quoted, in = true, true
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated single quote")
			}
			cur.text += line[i+1 : i+1+j]
			cur.quoted, in = true, true
			i += j + 1
		case c == '"':
			j := i + 1
			for ; j < len(line) && line[j] != '"'; j++ {
				if line[j] == '\\' && j+1 < len(line) && strings.IndexByte("\"\\$`", line[j+1]) >= 0 {
					j++
					cur.text += string(line[j])
					continue
				}
				if line[j] == '$' {
					cur.dollar = true
				}
				cur.text += string(line[j])
			}
			if j == len(line) {
				return nil, fmt.Errorf("unterminated double quote")
			}
			cur.quoted, in = true, true
			i = j
		case c == '$' && i+1 < len(line) && line[i+1] == '(':
			flush()
			words = append(words, word{text: "$(", op: true})
			i++
		case c == '$':
			cur.text += "$"
			cur.dollar, in = true, true
		case c == '|' || c == '&' || c == ';' || c == '(' || c == ')':
			flush()
			op := string(c)
			if (c == '|' || c == '&' || c == ';') && i+1 < len(line) && line[i+1] == c {
				op += string(c)
				i++
			}
			if c == '&' && i+1 < len(line) && line[i+1] == '>' {
				// &> FILE: a redirection
				op = "&>"
				i++
			}
			words = append(words, word{text: op, op: true})
		case c == '>' || c == '<':
			// A redirection; digits just before it are its descriptor.
			if in && !cur.quoted && isDigits(cur.text) {
				cur, in = word{}, false
			}
			flush()
			op := string(c)
			for i+1 < len(line) && (line[i+1] == '>' || line[i+1] == '&') {
				i++
				op += string(line[i])
			}
			if strings.HasSuffix(op, "&") {
				// >&2, 2>&1: the target is a descriptor, part of the operator
				for i+1 < len(line) && (line[i+1] >= '0' && line[i+1] <= '9' || line[i+1] == '-') {
					i++
					op += string(line[i])
				}
				words = append(words, word{text: op, op: true})
				continue
			}
			words = append(words, word{text: op + "FILE", op: true})
		default:
			cur.text += string(c)
			in = true
		}
	}
	flush()
	return words, nil
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// simpleCommands splits words into simple commands at the control
// operators, dropping redirections and their targets.
func simpleCommands(words []word) [][]word {
	var out [][]word
	var cur []word
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w.op && strings.HasSuffix(w.text, "FILE"):
			i++ // the redirection's target
		case w.op && (strings.HasPrefix(w.text, ">") || strings.HasPrefix(w.text, "<")):
		case w.op:
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = nil
		default:
			cur = append(cur, w)
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

var assignmentRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// commandWords drops what precedes the program of a simple command:
// variable assignments and wrappers such as sudo or env.
func commandWords(cmd []word) []word {
	for len(cmd) > 0 {
		w := cmd[0]
		switch {
		case !w.quoted && assignmentRe.MatchString(w.text):
		case !w.quoted && (w.text == "sudo" || w.text == "env" || w.text == "time" || w.text == "exec" || w.text == "command" || w.text == "nohup"):
		default:
			return cmd
		}
		cmd = cmd[1:]
	}
	return nil
}

// isSysgate tells whether a program word runs sysgate: sysgate,
// bin/sysgate, /path/to/sysgate.
func isSysgate(w word) bool {
	return !w.dollar && (w.text == "sysgate" || strings.HasSuffix(w.text, "/sysgate"))
}
