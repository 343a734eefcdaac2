# crmscan for workers and beat (docker-compose.yml, docs/operations.md).
FROM python:3.12-slim
RUN useradd --create-home --uid 10001 crmscan
WORKDIR /src
COPY . /src
RUN pip install --no-cache-dir "/src[postgres]" && rm -rf /src
USER crmscan
WORKDIR /home/crmscan
ENTRYPOINT ["crmscan"]
CMD ["--help"]
