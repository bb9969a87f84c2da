"""Response-time summaries for NFU representatives and supervisors: figures, text, charts, the PDF."""
