package io.soaklab.protocol;

import java.util.concurrent.TimeoutException;

/** A call aborted by one of soaklab's own timeouts; carries which one. */
final class CallTimeoutException extends TimeoutException {
    private static final long serialVersionUID = 1L;

    private final transient ErrorClass kind;

    CallTimeoutException(ErrorClass kind, String message) {
        super(message);
        this.kind = kind;
    }

    ErrorClass kind() {
        return kind;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // an expected outcome, raised often under fault injection: no stack needed
    }
}
