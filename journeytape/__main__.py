from journeytape.cli import app

app()
