"""Spiders of the project; generic ones are driven by arguments or site configs."""
