// Placeholder: the KFS library is being written.
