"""Open311 GeoReport v2: partner systems read and submit reports in the civic standard, in JSON and XML."""
