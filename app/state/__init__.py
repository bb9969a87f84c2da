"""Observable state the views draw from; its methods change it and keep it on the phone through app.store."""
