"""hcctrials.datasets"""
