// Replaced by the studio's widgets.
