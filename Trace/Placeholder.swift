// Placeholder: the Trace library is being written.
