package testkit

import (
	"net"
	"strconv"
)

// FreePort returns a port of 127.0.0.1 on which nothing listened a moment
// ago: for a process that is told where to listen, such as the
// controller's --metrics-addr or source-controller's --storage-addr.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		return 0, err
	}
	return port, nil
}

// FreeAddr is FreePort as an address, 127.0.0.1:port.
func FreeAddr() (string, error) {
	port, err := FreePort()
	if err != nil {
		return "", err
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), nil
}
