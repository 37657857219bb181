"""Gunicorn settings read from the working directory (`gunicorn backend.wsgi`).

Only what the application relies on is set here; workers, bind address and timeouts
belong to the deployment (command line or GUNICORN_CMD_ARGS).
"""

# The longest request line gunicorn accepts (its maximum; the default is 4094). Every
# query and path parameter of the API is bounded in the schema so that a valid request
# fits; the app refuses longer URLs itself, with a JSON 414 (MAX_URL_BYTES).
limit_request_line = 8190
