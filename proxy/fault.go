package proxy

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// classify turns an upstream failure into the status the client gets, an
// AWS-style error code and the Fault recorded with the call.
func classify(err, cause error, stallTimeout time.Duration) (status int, code, fault string) {
	err = sanitizeErr(err)
	var (
		dnsErr  *net.DNSError
		netErr  net.Error
		certErr *tls.CertificateVerificationError
		unkCA   x509.UnknownAuthorityError
		hostErr x509.HostnameError
		invErr  x509.CertificateInvalidError
		recErr  tls.RecordHeaderError
		alert   tls.AlertError
	)
	switch {
	case errors.Is(cause, errUpstreamStalled):
		return http.StatusGatewayTimeout, "GatewayTimeout",
			fmt.Sprintf("upstream made no progress for %s", stallTimeout)
	case errors.Is(err, syscall.ECONNREFUSED):
		return http.StatusBadGateway, "BadGateway", "upstream refused the connection"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		// A reset that lands while the request body is still being written
		// shows up as a broken pipe on our side.
		return http.StatusBadGateway, "BadGateway", "upstream reset the connection"
	case errors.As(err, &dnsErr):
		return http.StatusBadGateway, "BadGateway", "upstream host not found: " + dnsErr.Name
	case errors.As(err, &certErr), errors.As(err, &unkCA), errors.As(err, &hostErr),
		errors.As(err, &invErr), errors.As(err, &recErr), errors.As(err, &alert):
		return http.StatusBadGateway, "BadGateway", "upstream TLS: " + err.Error()
	case errors.As(err, &netErr) && netErr.Timeout():
		return http.StatusGatewayTimeout, "GatewayTimeout", "upstream timed out: " + err.Error()
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		// net.ErrClosed: the transport closed the connection when its
		// reader saw the upstream go, while the request body was still
		// being written.
		return http.StatusBadGateway, "BadGateway", "upstream closed the connection without a response"
	}
	return http.StatusBadGateway, "BadGateway", "upstream: " + err.Error()
}

// writeFault answers the client in the error format its SDK parses: JSON
// for JSON protocols, the query protocol's ErrorResponse for form bodies,
// and the REST-XML <Error> otherwise.
func writeFault(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	message = "iamwatch: " + message
	ct := r.Header.Get("Content-Type")
	h := w.Header()
	for k := range h {
		delete(h, k)
	}
	var body []byte
	switch {
	case strings.Contains(ct, "json") || r.Header.Get("X-Amz-Target") != "":
		body, _ = json.Marshal(struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}{code, message})
		if !strings.HasPrefix(ct, "application/x-amz-json") {
			ct = "application/json"
		}
		h.Set("Content-Type", ct)
		h.Set("X-Amzn-Errortype", code)
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		body = xmlError(code, message, true)
		h.Set("Content-Type", "text/xml")
	default:
		body = xmlError(code, message, false)
		h.Set("Content-Type", "application/xml")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Iamwatch-Fault", "true")
	w.WriteHeader(status)
	w.Write(body)
}

func xmlError(code, message string, wrapped bool) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	if wrapped {
		b.WriteString("<ErrorResponse>")
	}
	b.WriteString("<Error>")
	if wrapped {
		b.WriteString("<Type>Receiver</Type>")
	}
	b.WriteString("<Code>")
	xml.EscapeText(&b, []byte(code))
	b.WriteString("</Code><Message>")
	xml.EscapeText(&b, []byte(message))
	b.WriteString("</Message></Error>")
	if wrapped {
		b.WriteString("<RequestId>iamwatch</RequestId></ErrorResponse>")
	}
	return []byte(b.String())
}
