module github.com/sysgate/sysgate

go 1.26.8

require (
	github.com/elastic/go-seccomp-bpf v1.6.0
	golang.org/x/sys v0.49.0
	gopkg.in/yaml.v3 v3.0.1
)
