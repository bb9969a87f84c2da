"""Hedgerow's backend: the JSON API for the farmer app and the web console for police and the NFU."""
