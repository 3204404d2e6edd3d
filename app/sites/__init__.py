"""Sites: the schools and programs where students are served."""
