#!/bin/sh
echo pets
