"""The read side: select() builders for lists, pages and reports."""
