module github.com/sysgate/sysgate

go 1.26.8

require golang.org/x/sys v0.49.0 // indirect
